export type Row = Record<string, any>
