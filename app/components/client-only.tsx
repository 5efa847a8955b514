// Renders its children only in the browser (after hydration); the server and the first client
// render show the fallback. For widgets that measure the DOM (polaris-viz charts).
import { useEffect, useState } from "react";

export function ClientOnly({ children, fallback = null }: { children: () => React.ReactNode; fallback?: React.ReactNode }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return <>{mounted ? children() : fallback}</>;
}
