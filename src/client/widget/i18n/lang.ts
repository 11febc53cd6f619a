/**
 * The language this widget bundle speaks. The build replaces this module with one of the files
 * beside it (scripts/build-client.ts, one widget per language); unbundled, it is English.
 */
import en, { type Language } from './en.js';

export default en as Language;
