import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, parseCustomerQuery, searchDigits } from "../../app/core/customers/query.ts";
import { buildTimeline } from "../../app/core/customers/timeline.ts";

const parse = (s: string) => parseCustomerQuery(new URLSearchParams(s));

describe("customers index URL state", () => {
  it("reads defaults, drops empty values and unknown parameters", () => {
    expect(parse("")).toEqual({ ok: true, query: { sort: "last_order", dir: "desc" } });
    expect(parse("q=&tag=&utm_source=x&sort=name")).toEqual({ ok: true, query: { sort: "name", dir: "asc" } });
    expect(parse("q=%20ana%20&country=br&segment=champions&hasOrders=yes")).toEqual({ ok: true, query: { q: "ana", country: "BR", segment: "champions", hasOrders: "yes", sort: "last_order", dir: "desc" } });
  });

  it("names every bad parameter", () => {
    const r = parse("sort=price&dir=up&consent=maybe&country=BRA");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(["consent", "country", "dir", "sort"]);
    expect(parse("after=a&before=b")).toMatchObject({ ok: false, issues: [{ path: "before" }] });
  });

  it("round-trips cursors and refuses forged ones with a reason", () => {
    const c = { p: "buyers" as const, k: "2026-01-02 03:04:05.678", i: 42 };
    expect(decodeCursor(encodeCursor(c), "after")).toEqual({ ok: true, cursor: c });
    expect(decodeCursor("%%%", "after")).toMatchObject({ ok: false, issue: { path: "after" } });
    expect(decodeCursor(Buffer.from(JSON.stringify({ p: "everyone", k: null, i: 1 })).toString("base64url"), "before")).toMatchObject({ ok: false, issue: { path: "before", message: expect.stringContaining("p") } });
  });

  it("searches phones and CPFs by their digits only when the term looks like one", () => {
    expect(searchDigits("123.456.789-09")).toBe("12345678909");
    expect(searchDigits("(11) 98765-4321")).toBe("11987654321");
    expect(searchDigits("12")).toBeNull();
    expect(searchDigits("ana 123")).toBeNull();
  });
});

describe("customer timeline", () => {
  it("merges every source newest first and keeps only what happened", () => {
    const d = (s: string) => new Date(`2026-03-${s}T12:00:00Z`);
    const t = buildTimeline({
      orders: [{ name: "#1", placedAt: d("01"), cancelledAt: d("03"), totalMinor: 1000n, currency: "BRL" }],
      payments: [
        { method: "pix", status: "paid", amountMinor: 1000n, currency: "BRL", createdAt: d("01"), paidAt: d("02"), orderName: "#1" },
        { method: "boleto", status: "pending", amountMinor: 500n, currency: "BRL", createdAt: d("04"), paidAt: null, orderName: "#2" },
        { method: "card", status: "failed", amountMinor: 500n, currency: "BRL", createdAt: d("04"), paidAt: null, orderName: "#2" },
      ],
      checkouts: [{ startedAt: d("05"), completedAt: null, totalMinor: 700n, currency: "BRL" }],
      messages: [{ subject: "Oi", sentAt: d("06"), openedAt: d("07"), clickedAt: null }],
      events: [
        { type: "segment_entered", occurredAt: d("08"), data: { segmentName: "VIP" } },
        // Written by the ingest for the order above: shown once, from the order.
        { type: "order.placed", occurredAt: d("01"), data: { name: "#1" } },
      ],
    });
    expect(t.map((e) => e.kind)).toEqual(["event", "message_opened", "message_sent", "checkout_started", "payment_pending", "order_cancelled", "payment_paid", "order_placed"]);
    expect(t[0]).toMatchObject({ type: "segment_entered", label: "VIP" });
    expect(t.find((e) => e.kind === "payment_paid")).toMatchObject({ amountMinor: "1000", currency: "BRL", type: "pix" });
    expect(buildTimeline({ orders: [], payments: [], checkouts: [], messages: [], events: [] })).toEqual([]);
  });
});
