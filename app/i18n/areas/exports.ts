// Strings of one area of the app, English and pt-BR side by side (merged into en.ts / pt-BR.ts under "exports").
import type { Widen } from "../widen.ts";

export const en = {
  title: "Export and import",
} as const;

export const ptBR: Widen<typeof en> = {
  title: "Exportar e importar",
};
