// Built-in flows every store gets (disabled until the merchant turns them on), editable afterwards.
// Bodies are logic-less Mustache text: {{firstName}}, {{storeName}}, {{orderName}}, {{total}},
// {{discountCode}}, {{boletoDueDate}}, {{segmentName}}. The layout adds the blocks a message has data
// for (cart/order items, the button to the recovery/boleto link, the Pix code, the discount code,
// recommended products, the unsubscribe link), so a merchant edits words, not HTML.
import type { FlowSettings, FlowTrigger, StepInput } from "./model.ts";

export interface BuiltInFlow {
  template: string;
  name: { "pt-BR": string; en: string };
  trigger: FlowTrigger;
  settings: FlowSettings;
  steps: StepInput[];
}

const H = 60;
const D = 24 * H;

function step(delayMinutes: number, pt: [string, string], en: [string, string], options: StepInput["options"] = {}): StepInput {
  return {
    delayMinutes,
    channel: "email",
    condition: null,
    content: { "pt-BR": { subject: pt[0], body: pt[1] }, en: { subject: en[0], body: en[1] } },
    options,
  };
}

export const BUILT_IN_FLOWS: BuiltInFlow[] = [
  {
    template: "abandoned_checkout",
    name: { "pt-BR": "Carrinho abandonado", en: "Abandoned checkout" },
    trigger: { type: "checkout_abandoned" },
    settings: { kind: "marketing", respectQuietHours: true },
    steps: [
      step(
        1 * H,
        ["{{firstName}}, você esqueceu algo no carrinho", "Oi {{firstName}},\n\nVimos que você não terminou sua compra na {{storeName}}. Seus itens ainda estão guardados."],
        ["{{firstName}}, you left something in your cart", "Hi {{firstName}},\n\nYou didn't finish your order at {{storeName}}. Your items are still waiting for you."],
        { staleAfterMinutes: 12 * H },
      ),
      step(
        24 * H,
        ["Seu carrinho ainda está esperando", "Oi {{firstName}},\n\nOs produtos que você escolheu podem acabar. Finalize quando quiser pelo botão abaixo."],
        ["Your cart is still waiting", "Hi {{firstName}},\n\nThe products you picked may sell out. Finish whenever you like with the button below."],
        { staleAfterMinutes: 24 * H },
      ),
      step(
        72 * H,
        ["Um presente para fechar seu pedido", "Oi {{firstName}},\n\nPara você finalizar sua compra, preparamos um cupom exclusivo: {{discountCode}}."],
        ["A gift to finish your order", "Hi {{firstName}},\n\nTo help you complete your order, here is a code just for you: {{discountCode}}."],
        { staleAfterMinutes: 48 * H, discountPercent: 10 },
      ),
    ],
  },
  {
    template: "unpaid_boleto",
    name: { "pt-BR": "Boleto não pago", en: "Unpaid boleto" },
    trigger: { type: "payment_pending", method: "boleto", lookbackDays: 10 },
    settings: { kind: "transactional", respectQuietHours: true },
    steps: [
      step(
        1 * D,
        ["Seu boleto do pedido {{orderName}} está disponível", "Oi {{firstName}},\n\nSeu pedido {{orderName}} está reservado. O boleto de {{total}} vence em {{boletoDueDate}}."],
        ["Your boleto for order {{orderName}}", "Hi {{firstName}},\n\nYour order {{orderName}} is reserved. The boleto of {{total}} is due on {{boletoDueDate}}."],
        { staleAfterMinutes: 1 * D },
      ),
      step(
        2 * D,
        ["Seu boleto vence hoje", "Oi {{firstName}},\n\nHoje é o último dia para pagar o boleto de {{total}} do pedido {{orderName}}."],
        ["Your boleto is due today", "Hi {{firstName}},\n\nToday is the last day to pay the boleto of {{total}} for order {{orderName}}."],
        { atDueDate: true, staleAfterMinutes: 18 * H },
      ),
      step(
        4 * D,
        ["Seu boleto venceu — ainda dá tempo", "Oi {{firstName}},\n\nO boleto do pedido {{orderName}} venceu. Você pode gerar um novo ou pagar com Pix ou cartão pelo link abaixo."],
        ["Your boleto expired — there is still time", "Hi {{firstName}},\n\nThe boleto for order {{orderName}} expired. You can get a new one or pay by Pix or card with the link below."],
        { onlyAfterDue: true, staleAfterMinutes: 3 * D },
      ),
    ],
  },
  {
    template: "unpaid_pix",
    name: { "pt-BR": "Pix não pago", en: "Unpaid Pix" },
    trigger: { type: "payment_pending", method: "pix", lookbackDays: 2 },
    settings: { kind: "transactional", respectQuietHours: false },
    steps: [
      step(
        15,
        ["Falta pouco: pague seu pedido com Pix", "Oi {{firstName}},\n\nSeu pedido {{orderName}} de {{total}} aguarda o pagamento. Copie o código Pix abaixo no app do seu banco."],
        ["Almost there: pay your order with Pix", "Hi {{firstName}},\n\nYour order {{orderName}} of {{total}} is waiting for payment. Copy the Pix code below into your bank's app."],
        { staleAfterMinutes: 45 },
      ),
      step(
        2 * H,
        ["Seu código Pix ainda está valendo", "Oi {{firstName}},\n\nAinda dá tempo de pagar o pedido {{orderName}} com o código Pix abaixo."],
        ["Your Pix code is still valid", "Hi {{firstName}},\n\nThere is still time to pay order {{orderName}} with the Pix code below."],
        { staleAfterMinutes: 2 * H },
      ),
    ],
  },
  {
    template: "welcome",
    name: { "pt-BR": "Boas-vindas / primeira compra", en: "Welcome / first purchase" },
    trigger: { type: "first_order" },
    settings: { kind: "marketing", respectQuietHours: true },
    steps: [
      step(
        2 * H,
        ["Bem-vindo(a) à {{storeName}}, {{firstName}}!", "Oi {{firstName}},\n\nObrigado pela sua primeira compra ({{orderName}}). Estamos preparando tudo com carinho."],
        ["Welcome to {{storeName}}, {{firstName}}!", "Hi {{firstName}},\n\nThank you for your first order ({{orderName}}). We are getting everything ready."],
        { staleAfterMinutes: 2 * D },
      ),
    ],
  },
  {
    template: "cross_sell",
    name: { "pt-BR": "Pós-compra: compre junto", en: "Post-purchase cross-sell" },
    trigger: { type: "order_placed" },
    settings: { kind: "marketing", respectQuietHours: true },
    steps: [
      step(
        5 * D,
        ["Combina com o que você comprou", "Oi {{firstName}},\n\nQuem comprou o mesmo que você no pedido {{orderName}} também levou:"],
        ["Goes well with your order", "Hi {{firstName}},\n\nCustomers who bought what you ordered in {{orderName}} also bought:"],
        { recommendations: true, staleAfterMinutes: 3 * D },
      ),
    ],
  },
  {
    template: "review_request",
    name: { "pt-BR": "Pedido de avaliação", en: "Review request" },
    trigger: { type: "order_fulfilled" },
    settings: { kind: "marketing", respectQuietHours: true },
    steps: [
      step(
        5 * D,
        ["O que achou do pedido {{orderName}}?", "Oi {{firstName}},\n\nSeu pedido {{orderName}} já chegou? Conte para nós o que achou — sua opinião ajuda outros clientes."],
        ["How was order {{orderName}}?", "Hi {{firstName}},\n\nHas order {{orderName}} arrived? Tell us what you think — your review helps other customers."],
        { staleAfterMinutes: 5 * D },
      ),
    ],
  },
  {
    template: "win_back",
    name: { "pt-BR": "Reconquista (em risco)", en: "Win-back (at risk)" },
    // Automatic RFM segments by key; a merchant's own "high churn risk" segment can be added by id or name.
    trigger: { type: "segment_entered", segmentKeys: ["rfm:at_risk", "rfm:cant_lose"], segmentNames: ["High churn risk", "Alto risco de churn"], segmentIds: [] },
    settings: { kind: "marketing", respectQuietHours: true },
    steps: [
      step(
        0,
        ["Sentimos sua falta, {{firstName}}", "Oi {{firstName}},\n\nFaz tempo que você não passa na {{storeName}}. Veja o que chegou de novo."],
        ["We miss you, {{firstName}}", "Hi {{firstName}},\n\nIt's been a while since you visited {{storeName}}. See what's new."],
        { recommendations: true, staleAfterMinutes: 3 * D },
      ),
      step(
        7 * D,
        ["Um cupom para você voltar", "Oi {{firstName}},\n\nPara matar a saudade: use o cupom {{discountCode}} na sua próxima compra."],
        ["A code to welcome you back", "Hi {{firstName}},\n\nUse the code {{discountCode}} on your next order."],
        { discountPercent: 10, staleAfterMinutes: 3 * D },
      ),
    ],
  },
  {
    template: "reactivation",
    name: { "pt-BR": "Reativação (no seu ritmo)", en: "Reactivation (by their rhythm)" },
    trigger: { type: "no_purchase", factor: 1.5, minDays: 30 },
    settings: { kind: "marketing", respectQuietHours: true },
    steps: [
      step(
        0,
        ["Hora de repor, {{firstName}}?", "Oi {{firstName}},\n\nPelo seu ritmo de compras, talvez esteja na hora de repor seus favoritos da {{storeName}}."],
        ["Time to restock, {{firstName}}?", "Hi {{firstName}},\n\nJudging by how often you shop, it may be time to restock your {{storeName}} favourites."],
        { recommendations: true, staleAfterMinutes: 3 * D },
      ),
    ],
  },
  {
    template: "birthday",
    name: { "pt-BR": "Aniversário", en: "Birthday" },
    trigger: { type: "birthday" },
    settings: { kind: "marketing", respectQuietHours: true },
    steps: [
      step(
        9 * H,
        ["Feliz aniversário, {{firstName}}! 🎉", "Oi {{firstName}},\n\nA {{storeName}} deseja um feliz aniversário! Seu presente: o cupom {{discountCode}}."],
        ["Happy birthday, {{firstName}}! 🎉", "Hi {{firstName}},\n\nHappy birthday from {{storeName}}! Your gift: the code {{discountCode}}."],
        { discountPercent: 15, staleAfterMinutes: 12 * H },
      ),
    ],
  },
  {
    template: "browse_abandonment",
    name: { "pt-BR": "Navegação abandonada", en: "Browse abandonment" },
    trigger: { type: "browse_abandoned" },
    settings: { kind: "marketing", respectQuietHours: true },
    steps: [
      step(
        2 * H,
        ["Gostou do que viu, {{firstName}}?", "Oi {{firstName}},\n\nVimos que você deu uma olhada na {{storeName}}. Separamos algumas sugestões para você."],
        ["Liked what you saw, {{firstName}}?", "Hi {{firstName}},\n\nWe saw you looking around {{storeName}}. Here are a few picks for you."],
        { recommendations: true, staleAfterMinutes: 24 * H },
      ),
    ],
  },
];
