/**
 * CSV as RFC 4180 writes it: UTF-8, a header row, CRLF line ends, fields quoted only when they
 * hold the separator, a quote or a line break (quotes doubled). The open-data default is `,` with
 * decimal points, what data tools read; `?sep=;` gives the French spreadsheet dialect instead —
 * `;` separators, decimal commas and a byte-order mark, so that Excel in French opens the file
 * with its accents and numbers right.
 */
import { InvalidInputError } from '../../core/index.ts'

export interface CsvDialect {
  readonly separator: ',' | ';'
  readonly decimalComma: boolean
  /** Written before the header: a UTF-8 byte-order mark, or nothing. */
  readonly preamble: string
}

export const STANDARD_CSV: CsvDialect = Object.freeze({ separator: ',', decimalComma: false, preamble: '' })
export const FRENCH_SPREADSHEET_CSV: CsvDialect = Object.freeze({ separator: ';', decimalComma: true, preamble: '\uFEFF' })

export function csvDialect(sep: unknown): CsvDialect {
  if (sep === undefined || sep === ',') return STANDARD_CSV
  if (sep === ';') return FRENCH_SPREADSHEET_CSV
  throw new InvalidInputError(`sep must be , (default) or ; (French spreadsheets: decimal commas too) (got "${String(sep)}")`, 'sep')
}

export type CsvValue = string | number | boolean | null | undefined

export function csvLine(values: readonly CsvValue[], dialect: CsvDialect): string {
  return values.map((value) => csvField(value, dialect)).join(dialect.separator) + '\r\n'
}

function csvField(value: CsvValue, dialect: CsvDialect): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'number' && dialect.decimalComma ? String(value).replace('.', ',') : String(value)
  return text.includes(dialect.separator) || /["\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}
