/** The shape of an English message tree with every string widened, for its pt-BR twin to satisfy. */
export type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
