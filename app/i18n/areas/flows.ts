// Strings of one area of the app, English and pt-BR side by side (merged into en.ts / pt-BR.ts under "flows").
import type { Widen } from "../widen.ts";

export const en = {
  title: "Follow-ups",
} as const;

export const ptBR: Widen<typeof en> = {
  title: "Réguas de relacionamento",
};
