// Strings of one area of the app, English and pt-BR side by side (merged into en.ts / pt-BR.ts under "privacy").
import type { Widen } from "../widen.ts";

export const en = {
  title: "Privacy",
  subtitle: "LGPD and GDPR: data requests, erasures and how long raw data is kept",
  retention: {
    title: "Data retention",
    label: "Keep raw webhook payloads and storefront browsing events for (days)",
    help: "Between 1 and 365 days. Older raw payloads are blanked and browsing events deleted every night. Orders, customers and their history are not affected.",
    save: "Save",
    saved: "Retention updated to {{days}} days.",
  },
  requests: {
    title: "Data requests",
    empty: "No data requests yet. When Shopify sends a customer's data request, or you download a customer's data from their profile, it is listed here.",
    customer: "Customer",
    source: "Requested by",
    status: "Status",
    date: "Requested",
    download: "Download JSON",
    notAvailable: "Not available",
    customerNumber: "Customer #{{id}}",
  },
  erasures: {
    title: "Erasures done",
    empty: "No customer has been erased.",
    help: "Erased customers keep an anonymous record so that the store's totals stay right; nothing that identifies them is kept.",
    reason: "Reason",
  },
  sources: { admin: "Admin", shopify: "Shopify", woocommerce: "WooCommerce" },
  statuses: { pending: "Pending", done: "Done", failed: "Failed" },
  errors: {
    retentionDays: "Retention must be a whole number of days between 1 and 365.",
    unknownIntent: "Unknown action.",
  },
  erase: {
    title: "Erase customer",
    body: "This removes the customer's name, contact details, addresses, CPF, notes, history and messages from caderninho. Orders stay, without personal data, in the store's totals. This cannot be undone.",
    confirm: "Erase permanently",
    cancel: "Cancel",
    reasonLabel: "Reason (optional)",
    done: "Customer erased.",
  },
} as const;

export const ptBR: Widen<typeof en> = {
  title: "Privacidade",
  subtitle: "LGPD e GDPR: pedidos de dados, exclusões e por quanto tempo os dados brutos são guardados",
  retention: {
    title: "Retenção de dados",
    label: "Guardar payloads brutos de webhooks e eventos de navegação da loja por (dias)",
    help: "Entre 1 e 365 dias. Payloads brutos mais antigos são apagados e eventos de navegação excluídos toda noite. Pedidos, clientes e o histórico deles não são afetados.",
    save: "Salvar",
    saved: "Retenção alterada para {{days}} dias.",
  },
  requests: {
    title: "Pedidos de dados",
    empty: "Nenhum pedido de dados ainda. Quando a Shopify enviar um pedido de dados de um cliente, ou você baixar os dados de um cliente no perfil dele, ele aparece aqui.",
    customer: "Cliente",
    source: "Pedido por",
    status: "Situação",
    date: "Pedido em",
    download: "Baixar JSON",
    notAvailable: "Indisponível",
    customerNumber: "Cliente nº {{id}}",
  },
  erasures: {
    title: "Exclusões realizadas",
    empty: "Nenhum cliente foi excluído.",
    help: "Clientes excluídos mantêm um registro anônimo para que os totais da loja continuem corretos; nada que os identifique é mantido.",
    reason: "Motivo",
  },
  sources: { admin: "Admin", shopify: "Shopify", woocommerce: "WooCommerce" },
  statuses: { pending: "Pendente", done: "Concluído", failed: "Falhou" },
  errors: {
    retentionDays: "A retenção deve ser um número inteiro de dias entre 1 e 365.",
    unknownIntent: "Ação desconhecida.",
  },
  erase: {
    title: "Excluir cliente",
    body: "Isto remove do caderninho o nome, os contatos, os endereços, o CPF, as observações, o histórico e as mensagens do cliente. Os pedidos continuam, sem dados pessoais, nos totais da loja. Não é possível desfazer.",
    confirm: "Excluir definitivamente",
    cancel: "Cancelar",
    reasonLabel: "Motivo (opcional)",
    done: "Cliente excluído.",
  },
};
