// Seeded randomness for the simulator. Every draw goes through one Faker instance per simulator
// (never the shared global `faker`), so two simulators with the same seed produce identical data
// and do not disturb each other.

import { Faker, base, pt_BR } from "@faker-js/faker";

export interface Rng {
  faker: Faker;
  /** Uniform in (0, 1): never exactly 0 or 1, safe for logarithms. */
  uniform(): number;
  chance(probability: number): boolean;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  weighted<T>(items: readonly { value: T; weight: number }[]): T;
  /** Exponential with the given mean. */
  exponential(mean: number): number;
  gamma(shape: number, scale: number): number;
  beta(a: number, b: number): number;
  digits(length: number): string;
  hex(length: number): string;
  uuid(): string;
}

export function createRng(seed: number): Rng {
  const faker = new Faker({ locale: [pt_BR, base] });
  faker.seed(seed);

  const uniform = () => Math.min(Math.max(faker.number.float({ min: 0, max: 1 }), 1e-12), 1 - 1e-12);

  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());

  // Marsaglia & Tsang (2000); shapes below 1 use the boost gamma(k) = gamma(k + 1) · U^(1/k).
  const standardGamma = (shape: number): number => {
    if (shape < 1) return standardGamma(shape + 1) * uniform() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = normal();
      const v = (1 + c * x) ** 3;
      if (v <= 0) continue;
      if (Math.log(uniform()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  };

  const rng: Rng = {
    faker,
    uniform,
    chance: (probability) => uniform() < probability,
    int: (min, max) => faker.number.int({ min, max }),
    pick: (items) => {
      if (items.length === 0) throw new Error("pick from an empty list");
      return items[faker.number.int({ min: 0, max: items.length - 1 })] as (typeof items)[number];
    },
    weighted: (items) => faker.helpers.weightedArrayElement(items),
    exponential: (mean) => -Math.log(uniform()) * mean,
    gamma: (shape, scale) => standardGamma(shape) * scale,
    beta: (a, b) => {
      const x = standardGamma(a);
      return x / (x + standardGamma(b));
    },
    digits: (length) => faker.string.numeric({ length, allowLeadingZeros: true }),
    hex: (length) => faker.string.hexadecimal({ length, casing: "lower", prefix: "" }),
    uuid: () => faker.string.uuid(),
  };
  return rng;
}
