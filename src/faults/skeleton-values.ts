// Helpers that turn a component name into example values `init` can write without breaking a rule.

/** A valid label value derived from `text` (at most 63 characters, alphanumeric at both ends). */
export function labelValueFrom(text: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._-]/g, "-")
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  return cleaned === "" ? "example" : cleaned;
}

/** `base` + `suffix`, shortened so the result stays a valid object name (at most 253 characters). */
export function objectNameFrom(base: string, suffix = ""): string {
  const room = 253 - suffix.length;
  const trimmed = base.slice(0, room).replace(/[^a-z0-9]+$/, "");
  return `${trimmed === "" ? "example" : trimmed}${suffix}`;
}
