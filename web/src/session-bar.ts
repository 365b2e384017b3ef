/**
 * The header's session area (index.html's #session): « Se connecter » for the public, or who is
 * signed in — name and role in French — with « Se déconnecter ». And the notice the public view
 * shows in the panel: what a sign-in would add, with a button that opens the dialog.
 */
import { isStaff, ROLE_LABELS, type Session } from './auth-client.ts'
import { h, setChildren } from './dom.ts'

export interface SessionBarCallbacks {
  /** « Se connecter » pressed: open the dialog (the button gets the focus back when it closes). */
  readonly onSignIn: (opener: HTMLElement) => void
  readonly onSignOut: () => void
}

export class SessionBar {
  constructor(
    private readonly root: HTMLElement,
    private readonly callbacks: SessionBarCallbacks,
  ) {}

  /** Draws the area for a session; returns its button (to give the focus to after a change). */
  render(session: Session): HTMLButtonElement {
    if (!isStaff(session)) {
      const button = h('button', { id: 'sign-in-open', type: 'button', class: 'session-button', 'aria-haspopup': 'dialog' }, 'Se connecter')
      button.addEventListener('click', () => this.callbacks.onSignIn(button))
      setChildren(this.root, button)
      return button
    }
    const button = h('button', { id: 'sign-out', type: 'button', class: 'session-button' }, 'Se déconnecter')
    button.addEventListener('click', () => this.callbacks.onSignOut())
    setChildren(this.root,
      h('p', { class: 'session-user', id: 'session-user' },
        h('span', { class: 'visually-hidden' }, 'Connecté : '),
        h('span', { class: 'session-name' }, session.name),
        h('span', { class: 'session-role' }, ROLE_LABELS[session.role])),
      button,
    )
    return button
  }
}

/** The public view's notice: buildings, sensors and indicators need a staff sign-in. */
export function signInNotice(onSignIn: (opener: HTMLElement) => void): HTMLElement {
  const button = h('button', { type: 'button', class: 'secondary-button', 'aria-haspopup': 'dialog' }, 'Se connecter')
  button.addEventListener('click', () => onSignIn(button))
  return h('div', { class: 'notice notice-public', id: 'public-notice', role: 'note' },
    h('p', {}, h('strong', {}, 'Vue publique. '),
      'Les bâtiments publics, les capteurs et les indicateurs d’énergie sont réservés aux agents des collectivités et aux économes de flux : connectez-vous pour les voir.'),
    h('p', {}, button),
  )
}
