declare module 'virtual:oryne-plugins' {
  /** Per plugin with a ui/index.tsx: its UI module. */
  export const modules: Record<string, () => Promise<{ default: unknown }>>
  /** Per plugin with a ui/messages.ts: its catalogues by language. */
  export const messages: Record<string, () => Promise<{ default: unknown }>>
}
