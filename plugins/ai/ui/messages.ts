import { defineMessages } from '@oryne/web'

export default defineMessages({
  en: {
    'ai.widget.courses': 'Recommended courses',
    'ai.widget.loading': 'Finding courses for you…',
    'ai.widget.none': 'No recommendations yet.',
    'ai.widget.course': 'Course {id}',
    'ai.widget.model': 'Chosen for you from what students like you took.',
    'ai.widget.popular': 'Popular with your classmates.',
  },
  ar: {
    'ai.widget.courses': 'مقررات مقترحة',
    'ai.widget.loading': 'نبحث عن مقررات لك…',
    'ai.widget.none': 'لا توجد اقتراحات بعد.',
    'ai.widget.course': 'المقرر {id}',
    'ai.widget.model': 'اختيرت لك مما درسه طلاب مثلك.',
    'ai.widget.popular': 'رائجة بين زملائك.',
  },
})
