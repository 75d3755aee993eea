/** Go's strconv parsing rules, which Kargo's typing of rendered strings relies on. */

const DECIMAL_FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]((?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+))[pP]([+-]?\d+)$/;
const SPECIAL_FLOAT = /^[+-]?(?:inf|infinity|nan)$/i;

/**
 * `strconv.ParseFloat(s, 64)`: returns the number, or undefined when Go would return an error.
 * "Inf" and "NaN" parse in Go; they are returned as ±Infinity/NaN and callers decide.
 */
export function parseGoFloat(s: string): number | undefined {
  if (DECIMAL_FLOAT.test(s)) {
    const n = Number(s);
    // Go reports overflow ("1e400") as an error.
    return Number.isFinite(n) ? n : undefined;
  }
  const hex = HEX_FLOAT.exec(s);
  if (hex !== null) {
    const [intPart = '', fracPart = ''] = (hex[2] as string).split('.');
    let mantissa = intPart === '' ? 0 : parseInt(intPart, 16);
    for (let i = 0; i < fracPart.length; i++) mantissa += parseInt(fracPart[i] as string, 16) / 16 ** (i + 1);
    const n = (hex[1] === '-' ? -1 : 1) * mantissa * 2 ** Number(hex[3]);
    return Number.isFinite(n) ? n : undefined;
  }
  if (SPECIAL_FLOAT.test(s)) {
    if (/nan/i.test(s)) return NaN;
    return s.startsWith('-') ? -Infinity : Infinity;
  }
  return undefined;
}

/** `strconv.ParseBool`: 1 t T TRUE true True / 0 f F FALSE false False. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** `strconv.Atoi`: base-10 integer with optional sign, nothing else. */
export function parseGoInt(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}
