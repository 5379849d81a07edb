// One line per event on stdout, as a controller's log: `<RFC 3339> <LEVEL> <message> key=value…`.
// The lab keeps it per pod (`operator-chaos lab logs POD -n NS`); the tests read it from there.

export type Fields = Record<string, string | number | boolean | undefined>;

function quote(value: string | number | boolean): string {
  const text = String(value);
  return /^[\w./:@-]+$/.test(text) ? text : JSON.stringify(text);
}

export function formatLine(level: string, message: string, fields: Fields = {}, now = new Date()): string {
  const pairs = Object.entries(fields).filter(([, value]) => value !== undefined).map(([key, value]) => `${key}=${quote(value!)}`);
  return [now.toISOString(), level.padEnd(5), message, ...pairs].join(" ");
}

export interface Logger {
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

export const stdoutLogger: Logger = {
  info: (message, fields) => process.stdout.write(`${formatLine("INFO", message, fields)}\n`),
  warn: (message, fields) => process.stdout.write(`${formatLine("WARN", message, fields)}\n`),
  error: (message, fields) => process.stdout.write(`${formatLine("ERROR", message, fields)}\n`),
};
