// RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled; CRLF between rows.
// A leading =, +, - or @ would make spreadsheets run the cell as a formula (a user agent is client-chosen
// text), so such cells get a leading apostrophe.

function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(cell).join(",")).join("\r\n") + (rows.length ? "\r\n" : "");
}
