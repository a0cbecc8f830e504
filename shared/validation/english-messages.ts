import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini registers no locale (classic zod does), so without this every issue would read "Invalid input".
// Every module defining a wire or config schema imports this file, so the messages never depend on
// whether classic zod happens to be loaded too.
z.config(en());
