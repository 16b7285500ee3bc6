/**
 * English, the catalogue every other language completes (docs/web.md,
 * "Languages"). ICU message syntax: `{name}`, `{count, plural, one {…} other {…}}`.
 * Keys are grouped by screen; plugins keep theirs in their ui/messages.ts.
 */
export const en = {
  'app.name': 'Oryne',
  'app.skip': 'Skip to content',
  'app.menu': 'Menu',
  'app.loading': 'Loading {what}…',
  'app.offline': 'You are offline: showing what was saved on this device.',
  'app.retry': 'Try again',
  'app.notFound': 'There is nothing at this address.',
  'app.forbidden': 'Your account cannot open this page.',
  'app.error': 'Something went wrong: {message}',
  'app.empty': 'Nothing here yet.',
  'app.save': 'Save',
  'app.cancel': 'Cancel',
  'app.close': 'Close',
  'app.back': 'Back',
  'app.search': 'Search',
  'app.previous': 'Previous',
  'app.next': 'Next',
  'app.pageOf': 'Page {page} of {last}',
  'app.saved': 'Saved.',

  'nav.main': 'Main',
  'nav.home': 'Home',
  'nav.notifications': 'Notifications',
  'nav.calendar': 'Calendar',
  'nav.profile': 'Profile',
  'nav.signOut': 'Sign out',
  'nav.section.daily': 'Today',
  'nav.section.records': 'Records',
  'nav.section.admin': 'Administration',

  'signIn.title': 'Sign in to your school',
  'signIn.school': 'School',
  'signIn.schoolHint': 'The short name of your school in Oryne, e.g. "greenfield".',
  'signIn.email': 'Email',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.working': 'Signing in…',
  'signIn.mfaTitle': 'Two-step verification',
  'signIn.mfaCode': 'Authenticator or recovery code',
  'signIn.mfaHint':
    'Enter the 6-digit code from your authenticator app, or one of your recovery codes.',
  'signIn.verify': 'Verify',
  'signIn.expired': 'Your session ended. Sign in again.',

  'home.greeting': 'Hello, {name}',
  'home.roles': 'Signed in as {roles}',
  'home.nothing': 'Your school has not turned on any module with something for you yet.',

  'role.TenantAdmin': 'administrator',
  'role.Teacher': 'teacher',
  'role.Student': 'student',
  'role.Parent': 'parent',
  'role.Staff': 'staff',
} satisfies Record<string, string>

export type MessageKey = keyof typeof en
