/**
 * The staff sign-in dialog (index.html's #sign-in-dialog): a native modal <dialog> — the rest of
 * the page inert while it is open, Escape closes it — with the access-token field focused on
 * opening, the reason of a refusal in an alert region inside it (the field marked invalid and
 * focused again), and the focus given back to the control that opened it when it is cancelled.
 */
import { signIn, SignInError } from './auth-client.ts'
import { byId } from './dom.ts'

export class SignInDialog {
  private readonly dialog = byId<HTMLDialogElement>('sign-in-dialog')
  private readonly form = byId<HTMLFormElement>('sign-in-form')
  private readonly token = byId<HTMLInputElement>('sign-in-token')
  private readonly error = byId('sign-in-error')
  private readonly submit = byId<HTMLButtonElement>('sign-in-submit')
  private readonly oidc = byId('sign-in-oidc')
  private readonly oidcLink = byId<HTMLAnchorElement>('sign-in-oidc-link')
  private opener: HTMLElement | null = null
  private pending = false

  /**
   * `onSignedIn` takes the new session (header, panel, map); the dialog closes once it resolves,
   * and the focus goes to the element it gives (the header's « Se déconnecter »).
   */
  constructor(private readonly onSignedIn: () => Promise<HTMLElement | null>) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault()
      void this.send()
    })
    byId('sign-in-cancel').addEventListener('click', () => this.dialog.close())
    // Closed by Escape or « Annuler »: the token typed is forgotten, the focus goes back.
    this.dialog.addEventListener('close', () => {
      this.token.value = ''
      this.clearError()
      const opener = this.opener
      this.opener = null
      if (opener?.isConnected) opener.focus()
    })
    this.token.addEventListener('input', () => {
      if (this.token.getAttribute('aria-invalid') === 'true') this.clearError()
    })
  }

  /** Opens the dialog; `opener` gets the focus back when it closes without signing in. */
  open(opener: HTMLElement | null, oidcLogin: string | null): void {
    if (this.dialog.open) return
    this.opener = opener
    this.oidc.hidden = oidcLogin === null
    if (oidcLogin !== null) this.oidcLink.href = oidcLogin
    this.clearError()
    this.token.value = ''
    this.dialog.showModal()
    this.token.focus()
  }

  get isOpen(): boolean {
    return this.dialog.open
  }

  private async send(): Promise<void> {
    if (this.pending) return
    const token = this.token.value.trim()
    if (token === '') return this.showError('Saisissez votre jeton d’accès.')
    this.pending = true
    this.submit.disabled = true
    this.form.setAttribute('aria-busy', 'true')
    try {
      await signIn(token)
      this.token.value = ''
      // The session first, then close: the page behind is inert while the dialog is open.
      const focus = await this.onSignedIn()
      this.opener = focus
      this.dialog.close()
    } catch (error) {
      this.showError(error instanceof SignInError ? error.message : 'La connexion a échoué. Réessayez dans un instant.')
    } finally {
      this.pending = false
      this.submit.disabled = false
      this.form.removeAttribute('aria-busy')
    }
  }

  private showError(message: string): void {
    this.error.replaceChildren(Object.assign(document.createElement('p'), { className: 'alert-box', textContent: message }))
    this.token.setAttribute('aria-invalid', 'true')
    this.token.setAttribute('aria-describedby', 'sign-in-token-help sign-in-error')
    this.token.focus()
    this.token.select()
  }

  private clearError(): void {
    this.error.replaceChildren()
    this.token.removeAttribute('aria-invalid')
    this.token.setAttribute('aria-describedby', 'sign-in-token-help')
  }
}
