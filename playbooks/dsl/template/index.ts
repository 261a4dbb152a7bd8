/** Handlebars templates of playbook text: render at run time, check at lint time. */
export { renderTemplate, TemplateError, MAX_TEMPLATE_LENGTH } from './render.ts'
export { checkTemplate } from './check.ts'
export { HELPER_NAMES, BUILTIN_HELPERS } from './helpers.ts'
