// The demo shop's catalogue: a Brazilian lifestyle store selling cosmetics, specialty coffee,
// fashion and home goods. Prices are in centavos; consumables (coffee, cosmetics) are what
// loyal customers come back for, which gives repeat-purchase and cross-sell signals.

export type Category = "Cosméticos" | "Café" | "Moda" | "Casa";

export interface CatalogVariant {
  /** Option value ("250g", "M"), or null for single-variant products ("Default Title"). */
  option: string | null;
  priceCents: number;
  compareAtCents?: number;
}

export interface CatalogProduct {
  title: string;
  category: Category;
  vendor: string;
  tags: string[];
  description: string;
  grams: number;
  optionName: string | null;
  variants: CatalogVariant[];
  /** Consumed and bought again (coffee, skincare). */
  consumable: boolean;
}

const single = (priceCents: number, compareAtCents?: number): CatalogVariant[] => [
  compareAtCents ? { option: null, priceCents, compareAtCents } : { option: null, priceCents },
];
const sized = (options: string[], priceCents: number): CatalogVariant[] =>
  options.map((option) => ({ option, priceCents }));

const COSMETICS = "Flor de Jambu Cosméticos";
const COFFEE = "Café Serra da Mantiqueira";
const FASHION = "Ateliê Ipê";
const HOME = "Casa Jabuticaba";

export const CATALOG: readonly CatalogProduct[] = [
  { title: "Sérum Facial Vitamina C 30ml", category: "Cosméticos", vendor: COSMETICS, tags: ["skincare", "vegano"], description: "Sérum antioxidante com vitamina C estabilizada.", grams: 80, optionName: null, variants: single(8990), consumable: true },
  { title: "Hidratante Facial Ácido Hialurônico 50g", category: "Cosméticos", vendor: COSMETICS, tags: ["skincare"], description: "Hidratação leve para todos os tipos de pele.", grams: 90, optionName: null, variants: single(6990), consumable: true },
  { title: "Protetor Solar Facial FPS 50", category: "Cosméticos", vendor: COSMETICS, tags: ["skincare", "verão"], description: "Toque seco, sem cor, resistente à água.", grams: 70, optionName: null, variants: single(7490), consumable: true },
  { title: "Shampoo Sólido Murumuru", category: "Cosméticos", vendor: COSMETICS, tags: ["cabelo", "vegano", "sem plástico"], description: "Limpeza suave com manteiga de murumuru.", grams: 90, optionName: null, variants: single(3990), consumable: true },
  { title: "Máscara Capilar Cupuaçu 250g", category: "Cosméticos", vendor: COSMETICS, tags: ["cabelo"], description: "Nutrição intensa com manteiga de cupuaçu.", grams: 280, optionName: null, variants: single(5490), consumable: true },
  { title: "Óleo Corporal Castanha-do-Pará 120ml", category: "Cosméticos", vendor: COSMETICS, tags: ["corpo"], description: "Óleo seco de rápida absorção.", grams: 160, optionName: null, variants: single(5990), consumable: true },
  { title: "Sabonete Artesanal Argila Verde", category: "Cosméticos", vendor: COSMETICS, tags: ["corpo", "vegano"], description: "Feito à mão, para pele oleosa.", grams: 110, optionName: null, variants: single(1990), consumable: true },
  { title: "Body Splash Maracujá 200ml", category: "Cosméticos", vendor: COSMETICS, tags: ["perfumaria"], description: "Fragrância fresca de maracujá.", grams: 230, optionName: null, variants: single(6490), consumable: true },
  { title: "Batom Líquido Matte", category: "Cosméticos", vendor: COSMETICS, tags: ["maquiagem"], description: "Alta fixação, acabamento aveludado.", grams: 20, optionName: "Cor", variants: sized(["Nude Jambo", "Vermelho Açaí", "Rosa Pitanga"], 4490), consumable: false },
  { title: "Kit Skincare Rotina Completa", category: "Cosméticos", vendor: COSMETICS, tags: ["skincare", "kit", "presente"], description: "Sérum, hidratante e protetor solar.", grams: 260, optionName: null, variants: single(21990, 23370), consumable: false },

  { title: "Café Especial em Grãos Bourbon Amarelo", category: "Café", vendor: COFFEE, tags: ["café especial", "grãos"], description: "Notas de caramelo e frutas amarelas. Pontuação SCA 86.", grams: 260, optionName: "Peso", variants: [{ option: "250g", priceCents: 4490 }, { option: "500g", priceCents: 7990 }, { option: "1kg", priceCents: 14990 }], consumable: true },
  { title: "Café Moído Torra Média", category: "Café", vendor: COFFEE, tags: ["moído"], description: "Moagem média, ideal para coador.", grams: 260, optionName: "Peso", variants: [{ option: "250g", priceCents: 3490 }, { option: "500g", priceCents: 6290 }], consumable: true },
  { title: "Café Gourmet Cerrado Mineiro", category: "Café", vendor: COFFEE, tags: ["café especial"], description: "Corpo encorpado, notas de chocolate.", grams: 260, optionName: "Peso", variants: [{ option: "250g", priceCents: 4990 }, { option: "500g", priceCents: 8990 }], consumable: true },
  { title: "Cápsulas de Café Compatíveis Nespresso (10 un)", category: "Café", vendor: COFFEE, tags: ["cápsulas"], description: "Intensidade 8, compostáveis.", grams: 60, optionName: null, variants: single(2490), consumable: true },
  { title: "Kit Degustação 4 Origens", category: "Café", vendor: COFFEE, tags: ["kit", "presente", "café especial"], description: "Sul de Minas, Mogiana, Cerrado e Chapada Diamantina.", grams: 520, optionName: null, variants: single(13990), consumable: false },
  { title: "Prensa Francesa 600ml", category: "Café", vendor: COFFEE, tags: ["acessórios"], description: "Vidro borossilicato e aço inox.", grams: 650, optionName: null, variants: single(12990), consumable: false },
  { title: "Coador de Pano Tradicional", category: "Café", vendor: COFFEE, tags: ["acessórios"], description: "Algodão cru com cabo de madeira.", grams: 60, optionName: null, variants: single(1990), consumable: false },
  { title: "Moedor Manual de Café", category: "Café", vendor: COFFEE, tags: ["acessórios"], description: "Mó cônica de cerâmica, ajuste de moagem.", grams: 420, optionName: null, variants: single(18990), consumable: false },
  { title: "Caneca de Cerâmica Esmaltada 300ml", category: "Café", vendor: COFFEE, tags: ["acessórios", "presente"], description: "Feita à mão em Cunha-SP.", grams: 380, optionName: "Cor", variants: sized(["Terracota", "Verde Musgo", "Azul Anil"], 4990), consumable: false },

  { title: "Camiseta Básica Algodão Orgânico", category: "Moda", vendor: FASHION, tags: ["feminino", "masculino", "básicos"], description: "Malha 100% algodão orgânico.", grams: 180, optionName: "Tamanho", variants: sized(["P", "M", "G", "GG"], 7990), consumable: false },
  { title: "Vestido Midi Estampa Tropical", category: "Moda", vendor: FASHION, tags: ["feminino", "verão"], description: "Viscose leve com estampa exclusiva.", grams: 320, optionName: "Tamanho", variants: sized(["P", "M", "G"], 21990), consumable: false },
  { title: "Calça Jeans Wide Leg", category: "Moda", vendor: FASHION, tags: ["feminino", "jeans"], description: "Cintura alta, lavagem clara.", grams: 650, optionName: "Tamanho", variants: sized(["36", "38", "40", "42", "44"], 23990), consumable: false },
  { title: "Camisa de Linho Masculina", category: "Moda", vendor: FASHION, tags: ["masculino"], description: "Linho puro, manga longa.", grams: 280, optionName: "Tamanho", variants: sized(["P", "M", "G", "GG"], 19990), consumable: false },
  { title: "Bolsa Tiracolo de Couro", category: "Moda", vendor: FASHION, tags: ["acessórios", "presente"], description: "Couro legítimo curtido ao vegetal.", grams: 540, optionName: null, variants: single(28990), consumable: false },
  { title: "Sandália Rasteira Trançada", category: "Moda", vendor: FASHION, tags: ["feminino", "calçados", "verão"], description: "Tiras trançadas à mão.", grams: 400, optionName: "Tamanho", variants: sized(["34", "35", "36", "37", "38", "39"], 12990), consumable: false },
  { title: "Biquíni Cortininha", category: "Moda", vendor: FASHION, tags: ["feminino", "praia", "verão"], description: "Tecido com proteção UV 50+.", grams: 120, optionName: "Tamanho", variants: sized(["P", "M", "G"], 14990), consumable: false },
  { title: "Bermuda de Sarja", category: "Moda", vendor: FASHION, tags: ["masculino"], description: "Sarja com elastano.", grams: 380, optionName: "Tamanho", variants: sized(["38", "40", "42", "44"], 14990), consumable: false },
  { title: "Saia Midi Plissada", category: "Moda", vendor: FASHION, tags: ["feminino"], description: "Plissado permanente, cós com elástico.", grams: 300, optionName: "Tamanho", variants: sized(["P", "M", "G"], 16990), consumable: false },

  { title: "Vela Aromática Capim-Limão", category: "Casa", vendor: HOME, tags: ["aromas", "presente"], description: "Cera vegetal de coco, 40 horas de queima.", grams: 350, optionName: null, variants: single(6990), consumable: true },
  { title: "Difusor de Varetas Flor de Laranjeira 250ml", category: "Casa", vendor: HOME, tags: ["aromas"], description: "Dura até 60 dias.", grams: 420, optionName: null, variants: single(8990), consumable: true },
  { title: "Manta de Sofá Tricô", category: "Casa", vendor: HOME, tags: ["decoração", "inverno"], description: "Tricô de algodão, 1,30 x 1,70 m.", grams: 900, optionName: "Cor", variants: sized(["Cru", "Mostarda", "Verde Oliva"], 17990), consumable: false },
  { title: "Jogo Americano de Palha (4 un)", category: "Casa", vendor: HOME, tags: ["mesa posta"], description: "Palha natural trançada à mão.", grams: 480, optionName: null, variants: single(9990), consumable: false },
  { title: "Copo Americano Colorido (6 un)", category: "Casa", vendor: HOME, tags: ["mesa posta", "presente"], description: "O clássico de 190ml em seis cores.", grams: 1100, optionName: null, variants: single(5990), consumable: false },
];

/** How likely a customer is to favour each category. */
export const CATEGORY_WEIGHTS: readonly { value: Category; weight: number }[] = [
  { value: "Cosméticos", weight: 32 },
  { value: "Moda", weight: 30 },
  { value: "Café", weight: 28 },
  { value: "Casa", weight: 10 },
];

export const CATEGORY_SKU_PREFIX: Record<Category, string> = {
  Cosméticos: "COS",
  Café: "CAF",
  Moda: "MOD",
  Casa: "CAS",
};

export function handleize(title: string): string {
  return title
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
