import type { Messages } from "./en";

export const ptBR: Messages = {
  app: { name: "caderninho", tagline: "Conheça cada cliente, como o caderninho do dono da loja." },
  nav: { dashboard: "Painel", customers: "Clientes", segments: "Segmentos", flows: "Réguas", settings: "Configurações", logout: "Sair" },
  login: {
    title: "Entrar no caderninho",
    password: "Senha de administrador",
    submit: "Entrar",
    wrong: "Senha incorreta. Veja o terminal onde o caderninho foi iniciado, ou ADMIN_PASSWORD.",
    help: "Modo independente. A senha está em ADMIN_PASSWORD, ou é mostrada no terminal quando o caderninho inicia.",
    tooMany: "Muitas tentativas. Aguarde um minuto e tente de novo.",
  },
  dashboard: {
    title: "Painel",
    customers: "Clientes",
    orders: "Pedidos",
    revenue: "Receita (pedidos pagos, menos reembolsos)",
    averageTicket: "Ticket médio",
    unpaidBoletos: "Boletos e Pix não pagos",
    abandonedCheckouts: "Carrinhos abandonados",
    syncTitle: "Sincronização",
    syncRunning: "Importando o histórico da loja: {{done}} de {{total}} eventos",
    syncDone: "Histórico da loja importado. Novos eventos chegam assim que acontecem.",
    syncQueued: "Aguardando o início da importação…",
    emptyTitle: "Nenhum cliente ainda",
    emptyBody: "O caderninho se preenche conforme chegam os clientes e pedidos da sua loja. A primeira importação começa logo após a instalação; em lojas grandes pode levar alguns minutos.",
    demoBanner: "Esta é a loja de demonstração: clientes e pedidos simulados que percorrem o mesmo caminho dos dados de uma loja real.",
    store: "Loja",
  },
  common: { loading: "Carregando…", error: "Algo deu errado", notImplemented: "Em breve" },
};
