export { validateConfigText } from './parse-config.js';
