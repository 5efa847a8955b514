// One API for pages to tell the merchant something happened: `useToast()(message, { error })`.
// Embedded (Shopify admin): App Bridge's toast (`shopify.toast.show`). Standalone: a Polaris Toast
// in our own Frame. The frame (app/routes/app.tsx) puts <AdminFeedbackProvider> around the pages.
import { Toast } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";

export type AdminMode = "embedded" | "standalone";
type ShowToast = (message: string, options?: { error?: boolean }) => void;

const ModeContext = createContext<AdminMode>("standalone");
const ToastContext = createContext<ShowToast>(() => {});

interface AppBridgeGlobal {
  toast?: { show(message: string, opts?: { isError?: boolean; duration?: number }): void };
}

export function AdminFeedbackProvider({ mode, children }: { mode: AdminMode; children: React.ReactNode }) {
  const [toast, setToast] = useState<{ message: string; error: boolean; key: number } | null>(null);
  const show = useCallback<ShowToast>(
    (message, options) => {
      const bridge = mode === "embedded" && typeof window !== "undefined" ? (window as unknown as { shopify?: AppBridgeGlobal }).shopify : undefined;
      if (bridge?.toast) bridge.toast.show(message, { isError: options?.error, duration: 5000 });
      else setToast({ message, error: !!options?.error, key: Date.now() });
    },
    [mode],
  );
  const value = useMemo(() => show, [show]);
  return (
    <ModeContext.Provider value={mode}>
      <ToastContext.Provider value={value}>
        {children}
        {toast ? <Toast key={toast.key} content={toast.message} error={toast.error} onDismiss={() => setToast(null)} /> : null}
      </ToastContext.Provider>
    </ModeContext.Provider>
  );
}

/** Show a toast: `const toast = useToast(); toast(t("settings.saved"))`. */
export function useToast(): ShowToast {
  return useContext(ToastContext);
}

/** Embedded in the Shopify admin, or our own standalone frame. */
export function useAdminMode(): AdminMode {
  return useContext(ModeContext);
}

/**
 * The page title: in the Shopify admin's own title bar (embedded), and as the browser tab's title
 * (standalone; the server renders "caderninho", see app.tsx meta).
 */
export function AdminTitleBar({ title }: { title: string }) {
  const mode = useAdminMode();
  useEffect(() => {
    if (mode === "standalone") document.title = `${title} · caderninho`;
  }, [mode, title]);
  return mode === "embedded" ? <TitleBar title={title} /> : null;
}
