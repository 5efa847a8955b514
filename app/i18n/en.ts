// English strings. pt-BR.ts must have exactly the same keys (checked by the type below and a test).
export const en = {
  app: { name: "caderninho", tagline: "Know every customer, like the shop owner's old notebook." },
  nav: { dashboard: "Dashboard", customers: "Customers", segments: "Segments", flows: "Follow-ups", settings: "Settings", logout: "Log out" },
  login: {
    title: "Log in to caderninho",
    password: "Admin password",
    submit: "Log in",
    wrong: "That password is not right. Check the terminal where caderninho started, or ADMIN_PASSWORD.",
    help: "Standalone mode. The password is in ADMIN_PASSWORD, or printed in the terminal when caderninho starts.",
    tooMany: "Too many attempts. Wait a minute and try again.",
  },
  dashboard: {
    title: "Dashboard",
    customers: "Customers",
    orders: "Orders",
    revenue: "Revenue (paid orders, net of refunds)",
    averageTicket: "Average ticket",
    unpaidBoletos: "Unpaid boletos and Pix",
    abandonedCheckouts: "Abandoned checkouts",
    syncTitle: "Data sync",
    syncRunning: "Importing the store's history: {{done}} of {{total}} events",
    syncDone: "Store history imported. New events arrive as they happen.",
    syncQueued: "Waiting to start the import…",
    emptyTitle: "No customers yet",
    emptyBody: "caderninho fills up as your store's customers and orders arrive. The first import starts right after installing; it can take a few minutes on large stores.",
    demoBanner: "This is the demo store: simulated customers and orders that travel the same path real store data does.",
    store: "Store",
  },
  analytics: {
    segments: {
      champions: "Champions",
      loyal: "Loyal",
      potential_loyalist: "Potential Loyalist",
      new: "New",
      promising: "Promising",
      need_attention: "Need Attention",
      about_to_sleep: "About to Sleep",
      at_risk: "At Risk",
      cant_lose: "Can't Lose Them",
      hibernating: "Hibernating",
      lost: "Lost",
    },
    churn: { low: "Low", medium: "Medium", high: "High" },
    cluster: {
      recency: { low: "recent", high: "lapsed" },
      frequency: { low: "one-off", high: "frequent" },
      spend: { low: "low spend", high: "high spend" },
      average: "average customers",
    },
  },
  common: { loading: "Loading…", error: "Something went wrong", notImplemented: "Coming soon" },
} as const;

type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
export type Messages = Widen<typeof en>;
