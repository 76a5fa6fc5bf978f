/** DI tokens of the API app. */
export const DATABASE = Symbol('DATABASE');
export const APP_CONFIG = Symbol('APP_CONFIG');
