import { defineMessages } from '@oryne/web'

export default defineMessages({
  en: {
    'transport.nav.pickups': 'Pickup times',
    'transport.none': 'No one you look after rides the school bus.',
    'transport.you': 'Your ride',
    'transport.route': 'Route',
    'transport.stop': 'Stop',
    'transport.pickup': 'Morning pickup',
    'transport.drop': 'Afternoon drop-off',
    'transport.vehicle': 'Bus',
    'transport.driver': '{registration}, driver {driver}',
    'transport.phone': 'Driver’s phone',
  },
  ar: {
    'transport.nav.pickups': 'مواعيد الحافلة',
    'transport.none': 'لا أحد ممن ترعاهم يركب حافلة المدرسة.',
    'transport.you': 'رحلتك',
    'transport.route': 'الخط',
    'transport.stop': 'المحطة',
    'transport.pickup': 'الصعود صباحًا',
    'transport.drop': 'النزول بعد الظهر',
    'transport.vehicle': 'الحافلة',
    'transport.driver': '{registration}، السائق {driver}',
    'transport.phone': 'هاتف السائق',
  },
})
