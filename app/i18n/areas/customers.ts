// Strings of one area of the app, English and pt-BR side by side (merged into en.ts / pt-BR.ts under "customers").
import type { Widen } from "../widen.ts";

export const en = {
  title: "Customers",
} as const;

export const ptBR: Widen<typeof en> = {
  title: "Clientes",
};
