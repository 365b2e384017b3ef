/**
 * The page's live regions: a polite status (what was loaded) and an alert for errors, so a
 * failure is announced and shown in French, never a blank page. Both regions stay in the
 * document (only their content changes): screen readers announce changes to regions they
 * already know, not regions that appear.
 */
import { byId, h } from './dom.ts'

export class Messages {
  private readonly status = byId('status')
  private readonly alert = byId('alert')

  info(text: string): void {
    this.status.textContent = text
  }

  error(text: string): void {
    this.alert.replaceChildren(h('p', { class: 'alert-box' }, text))
  }

  clearError(): void {
    this.alert.replaceChildren()
  }

  hasError(): boolean {
    return this.alert.childElementCount > 0
  }
}
