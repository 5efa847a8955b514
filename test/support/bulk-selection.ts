// What Shopify writes into a bulk query's JSONL is exactly the fields the query selects: nothing
// more. The simulated store renders every field any of our documents might ask for (e.g. both
// shopMoney and presentmentMoney of a MoneyBag); this cuts each rendered line down to the
// selection of the bulk query that produced it, so the simulator and the backfill bench serve
// the bytes Shopify would, and a normaliser reading a field the query does not select is caught.
//
// Rules: a top-level line gets the root connection's `edges { node { … } }` selection; a child
// line (`__parentId`) the selection of the nested connection whose node type its GID names, and
// keeps `__parentId`. A selected field the rendered object lacks is written as null (GraphQL
// answers every selected nullable field); fields of an inline fragment (`... on T`) are kept
// only when present, since the type condition cannot be checked on plain JSON. Aliases are not
// used by our bulk queries and are not supported.
import {
  Kind,
  parse,
  type FieldNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

type Json = Record<string, unknown>;

/** A selection: field name → its sub-selection (null for a leaf); `optional` fields come from inline fragments. */
interface Selection {
  fields: Map<string, Selection | null>;
  optional: Set<string>;
}

/** GraphQL node type of the nested connections of our bulk queries, by connection field. */
const CONNECTION_NODE_TYPES: Record<string, string> = {
  lineItems: "LineItem",
  addressesV2: "MailingAddress",
  variants: "ProductVariant",
};

function selectionOf(
  set: SelectionSetNode,
  optional = false,
  into: Selection = { fields: new Map(), optional: new Set() }
): Selection {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      if (s.alias)
        throw new Error(`bulk selection: alias ${s.alias.value} not supported`);
      const name = s.name.value;
      const sub = s.selectionSet ? selectionOf(s.selectionSet) : null;
      const existing = into.fields.get(name);
      if (existing && sub) selectionOf(s.selectionSet!, false, existing);
      else into.fields.set(name, sub);
      if (optional && !existing) into.optional.add(name);
      else into.optional.delete(name);
    } else if (s.kind === Kind.INLINE_FRAGMENT)
      selectionOf(s.selectionSet, true, into);
    else throw new Error("bulk selection: fragment spreads are not supported");
  }
  return into;
}

/** `field { edges { node { … } } }` → the node's selection, else null. */
function connectionNode(field: FieldNode): SelectionSetNode | null {
  const edges = field.selectionSet?.selections.find(
    (s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === "edges"
  );
  const node = edges?.selectionSet?.selections.find(
    (s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === "node"
  );
  return node?.selectionSet ?? null;
}

export interface BulkSelection {
  /** One line of the rendered output cut down to what the query selects. */
  project(line: Json): Json;
}

function projectValue(value: unknown, selection: Selection | null): unknown {
  if (selection === null || value === null || value === undefined)
    return value ?? null;
  if (Array.isArray(value))
    return value.map((item) => projectValue(item, selection));
  if (typeof value !== "object") return value;
  return projectObject(value as Json, selection);
}

function projectObject(source: Json, selection: Selection): Json {
  const out: Json = {};
  for (const [name, sub] of selection.fields) {
    if (!(name in source)) {
      if (!selection.optional.has(name)) out[name] = null;
      continue;
    }
    out[name] = projectValue(source[name], sub);
  }
  return out;
}

/** The projection of a bulk query document (`{ orders { edges { node { … } } } }`, arguments allowed). */
export function bulkSelection(query: string): BulkSelection {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION
  );
  const root = operation?.selectionSet.selections[0];
  if (!root || root.kind !== Kind.FIELD)
    throw new Error("bulk selection: the query has no root connection");
  const rootNodeSet = connectionNode(root);
  if (!rootNodeSet)
    throw new Error(
      `bulk selection: ${root.name.value} is not selected as edges { node { … } }`
    );
  // Nested connections become child lines: split them off the root node's selection.
  const children = new Map<string, Selection>();
  const rootSelection = selectionOf({
    ...rootNodeSet,
    selections: rootNodeSet.selections.filter(
      (s) => !(s.kind === Kind.FIELD && connectionNode(s))
    ),
  });
  for (const s of rootNodeSet.selections) {
    if (s.kind !== Kind.FIELD) continue;
    const nested = connectionNode(s);
    if (!nested) continue;
    const type = CONNECTION_NODE_TYPES[s.name.value];
    if (!type)
      throw new Error(
        `bulk selection: unknown node type of connection ${s.name.value}`
      );
    children.set(type, selectionOf(nested));
  }
  return {
    project(line) {
      const parentId = line.__parentId;
      if (parentId === undefined) return projectObject(line, rootSelection);
      const type =
        /^gid:\/\/shopify\/([A-Za-z0-9]+)\//.exec(String(line.id))?.[1] ?? "";
      const selection = children.get(type);
      if (!selection)
        throw new Error(
          `bulk selection: child ${String(
            line.id
          )} belongs to no selected connection`
        );
      return { ...projectObject(line, selection), __parentId: parentId };
    },
  };
}
