// The unsaved-changes bar of a form page. Embedded: App Bridge's SaveBar in the Shopify admin's
// own chrome. Standalone: Polaris ContextualSaveBar in our Frame. Same props either way.
import { ContextualSaveBar } from "@shopify/polaris";
import { SaveBar } from "@shopify/app-bridge-react";
import { useAdminMode } from "./admin-feedback.tsx";

export interface FormSaveBarProps {
  id: string;
  open: boolean;
  saving: boolean;
  message: string;
  saveLabel: string;
  discardLabel: string;
  onSave: () => void;
  onDiscard: () => void;
}

export function FormSaveBar(p: FormSaveBarProps) {
  const mode = useAdminMode();
  if (mode === "embedded") {
    return (
      <SaveBar id={p.id} open={p.open}>
        <button variant="primary" onClick={p.onSave} disabled={p.saving}>
          {p.saveLabel}
        </button>
        <button onClick={p.onDiscard}>{p.discardLabel}</button>
      </SaveBar>
    );
  }
  if (!p.open) return null;
  return (
    <ContextualSaveBar
      message={p.message}
      saveAction={{ content: p.saveLabel, onAction: p.onSave, loading: p.saving }}
      discardAction={{ content: p.discardLabel, onAction: p.onDiscard }}
    />
  );
}
