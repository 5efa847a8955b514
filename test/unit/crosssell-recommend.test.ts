import { describe, expect, it } from "vitest";
import { recommend, shopperProfile, type ProductCard, type StoreSnapshot } from "../../app/core/cross-sell/recommend.ts";

const card = (id: string, category: string | null = null): ProductCard => ({
  id,
  title: id,
  handle: id,
  imageUrl: null,
  priceMinor: 1000,
  currency: "BRL",
  variantId: `${id}-v`,
  category,
});

/** cafe pairs with filtro (strong), caneca, biscoito; chá has no pairs; "esgotado" is out of stock. */
function snapshot(): StoreSnapshot {
  const cards = new Map(
    [card("cafe", "bebidas"), card("filtro", "acessorios"), card("caneca", "acessorios"), card("biscoito", "doces"), card("cha", "bebidas"), card("mate", "bebidas"), card("bolo", "doces")].map(
      (c) => [c.id, c],
    ),
  );
  return {
    storeId: 1,
    cards,
    groups: new Map([
      ["cafe", ["c:manhã", "t:bebidas"]],
      ["cha", ["c:tarde", "t:bebidas"]],
      ["esgotado", ["t:bebidas"]],
      ["mate", ["t:bebidas"]],
    ]),
    pairs: new Map([
      ["cafe", [{ id: "filtro", score: 0.9 }, { id: "caneca", score: 0.5 }, { id: "biscoito", score: 0.45 }]],
      ["bolo", [{ id: "biscoito", score: 0.2 }, { id: "cha", score: 0.1 }]],
      ["esgotado", [{ id: "caneca", score: 0.3 }]],
    ]),
    bestByGroup: new Map([
      ["c:tarde", ["bolo", "cha"]],
      ["t:bebidas", ["cafe", "mate", "cha"]],
    ]),
  };
}

const ids = (r: ReturnType<typeof recommend>) => r.map((x) => `${x.card.id}:${x.reason}`);

describe("recommend", () => {
  it("ranks a product's pairs by score, up to the limit", () => {
    expect(ids(recommend(snapshot(), ["cafe"], 2))).toEqual(["filtro:pair", "caneca:pair"]);
  });

  it("sums pairs over a cart and never recommends what is already in it", () => {
    // biscoito: 0.45 (cafe) + 0.2 (bolo) = 0.65 overtakes caneca (0.5); cha only via bolo
    expect(ids(recommend(snapshot(), ["cafe", "bolo"], 4))).toEqual(["filtro:pair", "biscoito:pair", "caneca:pair", "cha:pair"]);
  });

  it("falls back to best sellers of the same collection, then category, when there are no pairs", () => {
    expect(ids(recommend(snapshot(), ["cha"], 3))).toEqual(["bolo:bestseller", "cafe:bestseller", "mate:bestseller"]);
  });

  it("serves pairs of an out-of-stock product and nothing for an unknown one", () => {
    expect(ids(recommend(snapshot(), ["esgotado"], 2))).toEqual(["caneca:pair", "cafe:bestseller"]);
    expect(recommend(snapshot(), ["nao-existe"], 3)).toEqual([]);
  });

  it("drops what the shopper bought and favours their categories", () => {
    const profile = shopperProfile([
      { productId: "filtro", category: "acessorios" },
      { productId: "bolo", category: "doces" },
      { productId: "bolo", category: "doces" }, // bought twice: one product
      { productId: "cookie", category: "doces" },
    ]);
    expect(profile.categoryShare.get("doces")).toBe(1);
    expect(profile.categoryShare.get("acessorios")).toBe(0.5);
    // filtro dropped; biscoito (doces, ×1.5 → 0.675) passes caneca (acessorios, ×1.25 → 0.625)
    expect(ids(recommend(snapshot(), ["cafe"], 3, profile))).toEqual(["biscoito:pair", "caneca:pair", "mate:bestseller"]);
  });
});
