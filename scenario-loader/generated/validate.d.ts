// Types for the generated standalone validator (scripts/gen-schema.ts writes validate.js).
export interface GeneratedError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}
export interface GeneratedValidator {
  (data: unknown): boolean;
  errors?: GeneratedError[] | null;
}
export declare const validate: GeneratedValidator;
export declare const branchValidators: Record<string, GeneratedValidator>;
