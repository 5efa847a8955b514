import { describe, expect, it } from "vitest";
import { diffManagedTags, segmentTagName, TagPrefixError, validateTagPrefix } from "../../app/core/tags/segment-tags.ts";

describe("segment tag diff", () => {
  it("adds what is missing, removes our stale tags and never touches the merchant's", () => {
    const diff = diffManagedTags(["vip-manual", "crm:At Risk", "crm:Champions", "Atacado"], ["crm:Champions", "crm:Loyal"], "crm:");
    expect(diff).toEqual({ add: ["crm:Loyal"], remove: ["crm:At Risk"] });
  });

  it("compares without case, as Shopify does, and ignores duplicates", () => {
    expect(diffManagedTags(["CRM:vip"], ["crm:VIP", "crm:vip"], "crm:")).toEqual({ add: [], remove: [] });
  });

  it("removes every managed tag when the customer is in no pushed segment", () => {
    expect(diffManagedTags(["crm:a", "crm:b", "own"], [], "crm:")).toEqual({ add: [], remove: ["crm:a", "crm:b"] });
  });

  it("refuses a desired tag without the prefix (it would be a merchant tag we could never remove)", () => {
    expect(() => diffManagedTags([], ["Champions"], "crm:")).toThrow(TagPrefixError);
  });

  it("names a segment's tag from its tag or name, without commas, within 255 characters", () => {
    expect(segmentTagName("crm:", { tag: null, name: "Campeões,  SP" })).toBe("crm:Campeões SP");
    expect(segmentTagName("crm:", { tag: " VIP ", name: "ignored" })).toBe("crm:VIP");
    expect(segmentTagName("crm:", { tag: null, name: "x".repeat(400) })).toHaveLength(255);
  });

  it("validates prefixes", () => {
    expect(validateTagPrefix("rfm-")).toBe("rfm-");
    expect(() => validateTagPrefix("crm")).toThrow(/must end with/);
    expect(() => validateTagPrefix("a,b:")).toThrow(/comma/);
    expect(() => validateTagPrefix(" crm:")).toThrow(/space/);
  });
});
