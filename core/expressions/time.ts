/**
 * Go's time.Time and time.Duration as far as expressions need them, in UTC only (core may not
 * consult the host's time zone database). Durations are plain numbers of milliseconds.
 */
import { FunctionError } from './errors.js';
import { MethodValue } from './values.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** An instant (milliseconds since the Unix epoch), shown in UTC. */
export class TimeValue extends MethodValue {
  readonly typeName = 'time.Time';

  constructor(readonly ms: number) {
    super();
    if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new FunctionError('time out of range');
  }

  private get date(): Date {
    return new Date(this.ms);
  }

  methodNames(): readonly string[] {
    return Object.keys(TIME_METHODS);
  }

  callMethod(name: string, args: unknown[]): unknown {
    const method = TIME_METHODS[name];
    if (method === undefined) throw new FunctionError(`type time.Time has no method ${name}`);
    return method(this, args);
  }

  /** RFC 3339 with the fraction trimmed, as Go's time.Time MarshalJSON writes it. */
  toJSON(): string {
    return formatLayout(this, '2006-01-02T15:04:05.999999999Z07:00');
  }

  /** Go's time.Time String(). */
  override toString(): string {
    return formatLayout(this, '2006-01-02 15:04:05.999999999 -0700 MST');
  }

  equals(other: unknown): boolean {
    return other instanceof TimeValue && other.ms === this.ms;
  }

  parts(): { year: number; month: number; day: number; hour: number; minute: number; second: number; ms: number; weekday: number } {
    const d = this.date;
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      ms: d.getUTCMilliseconds(),
      weekday: d.getUTCDay(),
    };
  }
}

/** Milliseconds since the epoch for a UTC calendar time (years 0-99 are not shifted to 19xx). */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

/** Go's zero time, 0001-01-01 00:00:00 UTC. */
const ZERO_MS = utcMs(1, 1, 1);

const argTime = (args: unknown[], i: number, method: string): TimeValue => {
  const t = toTime(args[i]);
  if (t === undefined) throw new FunctionError(`${method}: argument ${i + 1} must be a time`);
  return t;
};
const argNumber = (args: unknown[], i: number, method: string): number => {
  const n = args[i];
  if (typeof n !== 'number') throw new FunctionError(`${method}: argument ${i + 1} must be a number`);
  return n;
};

const TIME_METHODS: Record<string, (t: TimeValue, args: unknown[]) => unknown> = {
  Year: (t) => t.parts().year,
  Month: (t) => t.parts().month,
  Day: (t) => t.parts().day,
  Hour: (t) => t.parts().hour,
  Minute: (t) => t.parts().minute,
  Second: (t) => t.parts().second,
  Nanosecond: (t) => t.parts().ms * 1e6,
  Weekday: (t) => t.parts().weekday,
  YearDay: (t) => Math.floor((t.ms - utcMs(t.parts().year, 1, 1)) / 86_400_000) + 1,
  Unix: (t) => Math.floor(t.ms / 1000),
  UnixMilli: (t) => t.ms,
  After: (t, a) => t.ms > argTime(a, 0, 'After').ms,
  Before: (t, a) => t.ms < argTime(a, 0, 'Before').ms,
  Equal: (t, a) => t.ms === argTime(a, 0, 'Equal').ms,
  Compare: (t, a) => Math.sign(t.ms - argTime(a, 0, 'Compare').ms),
  Sub: (t, a) => t.ms - argTime(a, 0, 'Sub').ms,
  Add: (t, a) => new TimeValue(t.ms + argNumber(a, 0, 'Add')),
  AddDate: (t, a) => {
    const p = t.parts();
    return new TimeValue(
      utcMs(p.year + argNumber(a, 0, 'AddDate'), p.month + argNumber(a, 1, 'AddDate'), p.day + argNumber(a, 2, 'AddDate'), p.hour, p.minute, p.second, p.ms),
    );
  },
  Format: (t, a) => {
    const layout = a[0];
    if (typeof layout !== 'string') throw new FunctionError('Format: layout must be a string');
    return formatLayout(t, layout);
  },
  String: (t) => t.toString(),
  UTC: (t) => t,
  IsZero: (t) => t.ms === ZERO_MS,
};

/** Accepts a TimeValue or a JS Date (as found in injected variables). */
export function toTime(v: unknown): TimeValue | undefined {
  if (v instanceof TimeValue) return v;
  if (v instanceof Date) return new TimeValue(v.getTime());
  return undefined;
}

// ---- Go layouts ----------------------------------------------------------------------------------

type Chunk = { literal: string } | { std: string };

/** Splits a Go layout ("2006-01-02T15:04:05Z07:00") into literal text and std fields. */
function layoutChunks(layout: string): Chunk[] {
  const chunks: Chunk[] = [];
  let literal = '';
  const push = (std: string): void => {
    if (literal !== '') chunks.push({ literal });
    literal = '';
    chunks.push({ std });
  };
  let i = 0;
  const starts = (s: string): boolean => layout.startsWith(s, i);
  const FIELDS = [
    'January', 'Jan', 'Monday', 'Mon', 'MST',
    '2006', '002', '__2', '_2', '01', '02', '03', '04', '05', '06', '15',
    'Z07:00:00', 'Z070000', 'Z07:00', 'Z0700', 'Z07',
    '-07:00:00', '-070000', '-07:00', '-0700', '-07',
    'PM', 'pm', '1', '2', '3', '4', '5',
  ];
  while (i < layout.length) {
    const c = layout[i] as string;
    if ((c === '.' || c === ',') && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
      const digit = layout[i + 1] as string;
      let j = i + 1;
      while (layout[j] === digit) j++;
      if (!/[0-9]/.test(layout[j] ?? '')) {
        push(`${c}${digit.repeat(j - i - 1)}`);
        i = j;
        continue;
      }
    }
    const field = FIELDS.find((f) => starts(f));
    // "Jan"/"Mon" only count when not followed by a lower-case letter (as in Go).
    if (field !== undefined && !((field === 'Jan' || field === 'Mon') && /[a-z]/.test(layout[i + 3] ?? ''))) {
      push(field);
      i += field.length;
      continue;
    }
    literal += c;
    i++;
  }
  if (literal !== '') chunks.push({ literal });
  return chunks;
}

const pad = (n: number, width: number, fill = '0'): string => String(n).padStart(width, fill);

/** Formats a time with a Go layout, in UTC. */
export function formatLayout(t: TimeValue, layout: string): string {
  const p = t.parts();
  const yday = Math.floor((t.ms - utcMs(p.year, 1, 1)) / 86_400_000) + 1;
  const hour12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
  return layoutChunks(layout)
    .map((chunk) => {
      if ('literal' in chunk) return chunk.literal;
      const std = chunk.std;
      switch (std) {
        case 'January': return MONTHS[p.month - 1];
        case 'Jan': return (MONTHS[p.month - 1] as string).slice(0, 3);
        case 'Monday': return DAYS[p.weekday];
        case 'Mon': return (DAYS[p.weekday] as string).slice(0, 3);
        case 'MST': return 'UTC';
        case '2006': return pad(p.year, 4);
        case '06': return pad(p.year % 100, 2);
        case '01': return pad(p.month, 2);
        case '1': return String(p.month);
        case '02': return pad(p.day, 2);
        case '_2': return pad(p.day, 2, ' ');
        case '2': return String(p.day);
        case '002': return pad(yday, 3);
        case '__2': return pad(yday, 3, ' ');
        case '15': return pad(p.hour, 2);
        case '03': return pad(hour12, 2);
        case '3': return String(hour12);
        case '04': return pad(p.minute, 2);
        case '4': return String(p.minute);
        case '05': return pad(p.second, 2);
        case '5': return String(p.second);
        case 'PM': return p.hour >= 12 ? 'PM' : 'AM';
        case 'pm': return p.hour >= 12 ? 'pm' : 'am';
      }
      if (std.startsWith('Z')) return 'Z';
      if (std.startsWith('-')) return { '-07:00:00': '+00:00:00', '-070000': '+000000', '-07:00': '+00:00', '-0700': '+0000', '-07': '+00' }[std] ?? '';
      // Fractional seconds: `.000` keeps every digit, `.999` trims trailing zeros.
      const digits = std.length - 1;
      const fraction = pad(p.ms, 3).padEnd(9, '0').slice(0, digits);
      if (std[1] === '0') return `${std[0]}${fraction}`;
      const trimmed = fraction.replace(/0+$/, '');
      return trimmed === '' ? '' : `${std[0]}${trimmed}`;
    })
    .join('');
}

/** Parses text with a Go layout; a zone in the text is honoured, otherwise UTC. */
export function parseLayout(text: string, layout: string): TimeValue {
  const fail = (): never => {
    throw new FunctionError('parsing time: the text does not match the layout');
  };
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let pm: boolean | undefined;
  let offsetMinutes = 0;
  let s = text;
  const take = (re: RegExp): string => {
    const m = re.exec(s);
    if (m === null) return fail();
    s = s.slice(m[0].length);
    return m[0];
  };
  const num = (re: RegExp): number => Number(take(re));
  const fraction = (): void => {
    const f = take(/^[.,]\d+/).slice(1);
    ms = Math.floor(Number(`0.${f}`) * 1000);
  };
  const chunks = layoutChunks(layout);
  chunks.forEach((chunk, index) => {
    if ('literal' in chunk) {
      if (!s.startsWith(chunk.literal)) fail();
      s = s.slice(chunk.literal.length);
      return;
    }
    const std = chunk.std;
    switch (std) {
      case 'January':
      case 'Jan': {
        const names = MONTHS.map((m) => (std === 'Jan' ? m.slice(0, 3) : m));
        const found = names.findIndex((n) => s.toLowerCase().startsWith(n.toLowerCase()));
        if (found < 0) fail();
        month = found + 1;
        s = s.slice((names[found] as string).length);
        return;
      }
      case 'Monday':
      case 'Mon': {
        const names = DAYS.map((d) => (std === 'Mon' ? d.slice(0, 3) : d));
        const found = names.findIndex((n) => s.toLowerCase().startsWith(n.toLowerCase()));
        if (found < 0) fail();
        s = s.slice((names[found] as string).length);
        return;
      }
      case 'MST':
        take(/^[A-Z]{3,5}|^[+-]\d{2}/);
        return;
      case '2006': year = num(/^\d{4}/); return;
      case '06': {
        const yy = num(/^\d{2}/);
        year = yy >= 69 ? 1900 + yy : 2000 + yy;
        return;
      }
      case '01': month = num(/^\d{2}/); return;
      case '1': month = num(/^\d{1,2}/); return;
      case '02': day = num(/^\d{2}/); return;
      case '_2': day = num(/^[ \d]\d/); return;
      case '2': day = num(/^\d{1,2}/); return;
      case '002':
      case '__2':
        num(/^[ \d]{2}\d/);
        return;
      case '15': hour = num(/^\d{1,2}/); return;
      case '03': hour = num(/^\d{2}/); return;
      case '3': hour = num(/^\d{1,2}/); return;
      case '04': minute = num(/^\d{2}/); return;
      case '4': minute = num(/^\d{1,2}/); return;
      case '05':
      case '5': {
        second = num(std === '05' ? /^\d{2}/ : /^\d{1,2}/);
        // Go accepts a fraction after the seconds even when the layout has none.
        const nextChunk = chunks[index + 1];
        const layoutHasFraction = nextChunk !== undefined && 'std' in nextChunk && /^[.,]/.test(nextChunk.std);
        if (!layoutHasFraction && /^[.,]\d/.test(s)) fraction();
        return;
      }
      case 'PM':
      case 'pm':
        pm = take(/^(AM|PM|am|pm)/i).toUpperCase() === 'PM';
        return;
    }
    if (std.startsWith('Z') || std.startsWith('-')) {
      if (std.startsWith('Z') && s.startsWith('Z')) {
        s = s.slice(1);
        return;
      }
      const m = /^([+-])(\d{2}):?(\d{2})?(?::?(\d{2}))?/.exec(s);
      if (m === null) return fail();
      offsetMinutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
      s = s.slice(m[0].length);
      return;
    }
    fraction();
  });
  if (s !== '') fail();
  if (pm !== undefined) hour = (hour % 12) + (pm ? 12 : 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) fail();
  const at = utcMs(year, month, day, hour, minute, second, ms);
  if (new Date(at).getUTCDate() !== day) fail();
  return new TimeValue(at - offsetMinutes * 60_000);
}

/** The layouts expr-lang's `date(s)` tries, in order. */
const DEFAULT_LAYOUTS = [
  '2006-01-02',
  '15:04:05',
  '2006-01-02 15:04:05',
  '2006-01-02T15:04:05Z07:00',
  '02 Jan 06 15:04 MST',
  'Monday, 02-Jan-06 15:04:05 MST',
  'Mon, 02 Jan 2006 15:04:05 MST',
];

/** expr-lang's `date(s[, layout])`. */
export function parseDate(text: string, layout?: string): TimeValue {
  if (layout !== undefined) return parseLayout(text, layout);
  for (const candidate of DEFAULT_LAYOUTS) {
    try {
      return parseLayout(text, candidate);
    } catch {
      // try the next layout
    }
  }
  throw new FunctionError('invalid date: no known layout matches');
}
