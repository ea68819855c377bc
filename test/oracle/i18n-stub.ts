// Stands in for DevTools' core/i18n/i18n.js when the heap snapshot worker is bundled for Node: the worker only
// needs English strings with their {placeholders} filled in, not the locale machinery (which loads JSON files
// from a web server).
type Values = Record<string, unknown> | undefined;

function fill(template: string, values: Values): string {
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

export const i18n = {
  registerUIStrings: (_file: string, strings: Record<string, string>) => strings,
  getLocalizedString: (_strings: unknown, template: string, values?: Values) => fill(template, values),
  getLazilyComputedLocalizedString: (_strings: unknown, template: string, values?: Values) => () =>
    fill(template, values),
  lockedString: (text: string) => text,
  lockedLazyString: (text: string) => () => text,
  serializeUIString: (template: string, values?: Values) => JSON.stringify({ string: template, values: values ?? {} }),
};
