// JSON error bodies shared by the REST API and the admin's resource routes:
// { error: { code, message, issues?: [{ path, message }] } }.
import type { z } from "zod";

export interface ApiErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

export function zodErrorBody(error: z.ZodError): ApiErrorBody {
  const issues = error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(root)", message: i.message }));
  return { error: { code: "invalid_request", message: issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues } };
}

export function errorBody(code: string, message: string): ApiErrorBody {
  return { error: { code, message } };
}
