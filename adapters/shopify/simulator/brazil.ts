// Brazilian reference data and formats for the simulator: cities weighted by population, phone
// area codes, CEP ranges, e-mail providers, boleto lines and Pix codes that pass their own checks.

import type { Rng } from "./random";

export interface City {
  name: string;
  stateCode: string;
  /** 2022 census, thousands: the city's weight when drawing a customer's home. */
  population: number;
  ddd: string;
  /** First and last 5-digit CEP prefix of the city. */
  cep: [number, number];
  region: "Sudeste" | "Sul" | "Centro-Oeste" | "Nordeste" | "Norte";
}

export const STATE_NAMES: Record<string, string> = {
  AC: "Acre", AL: "Alagoas", AM: "Amazonas", AP: "Amapá", BA: "Bahia", CE: "Ceará", DF: "Distrito Federal",
  ES: "Espírito Santo", GO: "Goiás", MA: "Maranhão", MG: "Minas Gerais", MS: "Mato Grosso do Sul",
  MT: "Mato Grosso", PA: "Pará", PB: "Paraíba", PE: "Pernambuco", PI: "Piauí", PR: "Paraná",
  RJ: "Rio de Janeiro", RN: "Rio Grande do Norte", RO: "Rondônia", RR: "Roraima", RS: "Rio Grande do Sul",
  SC: "Santa Catarina", SE: "Sergipe", SP: "São Paulo", TO: "Tocantins",
};

export const CITIES: readonly City[] = [
  { name: "São Paulo", stateCode: "SP", population: 11451, ddd: "11", cep: [1000, 5999], region: "Sudeste" },
  { name: "Rio de Janeiro", stateCode: "RJ", population: 6211, ddd: "21", cep: [20000, 23799], region: "Sudeste" },
  { name: "Brasília", stateCode: "DF", population: 2817, ddd: "61", cep: [70000, 72799], region: "Centro-Oeste" },
  { name: "Fortaleza", stateCode: "CE", population: 2428, ddd: "85", cep: [60000, 61599], region: "Nordeste" },
  { name: "Salvador", stateCode: "BA", population: 2418, ddd: "71", cep: [40000, 42599], region: "Nordeste" },
  { name: "Belo Horizonte", stateCode: "MG", population: 2316, ddd: "31", cep: [30000, 31999], region: "Sudeste" },
  { name: "Manaus", stateCode: "AM", population: 2063, ddd: "92", cep: [69000, 69099], region: "Norte" },
  { name: "Curitiba", stateCode: "PR", population: 1774, ddd: "41", cep: [80000, 82999], region: "Sul" },
  { name: "Recife", stateCode: "PE", population: 1488, ddd: "81", cep: [50000, 52999], region: "Nordeste" },
  { name: "Goiânia", stateCode: "GO", population: 1437, ddd: "62", cep: [74000, 74899], region: "Centro-Oeste" },
  { name: "Porto Alegre", stateCode: "RS", population: 1332, ddd: "51", cep: [90000, 91999], region: "Sul" },
  { name: "Belém", stateCode: "PA", population: 1303, ddd: "91", cep: [66000, 66999], region: "Norte" },
  { name: "Guarulhos", stateCode: "SP", population: 1291, ddd: "11", cep: [7000, 7399], region: "Sudeste" },
  { name: "Campinas", stateCode: "SP", population: 1139, ddd: "19", cep: [13000, 13139], region: "Sudeste" },
  { name: "São Luís", stateCode: "MA", population: 1037, ddd: "98", cep: [65000, 65099], region: "Nordeste" },
  { name: "Maceió", stateCode: "AL", population: 957, ddd: "82", cep: [57000, 57099], region: "Nordeste" },
  { name: "Campo Grande", stateCode: "MS", population: 898, ddd: "67", cep: [79000, 79129], region: "Centro-Oeste" },
  { name: "Teresina", stateCode: "PI", population: 866, ddd: "86", cep: [64000, 64099], region: "Nordeste" },
  { name: "João Pessoa", stateCode: "PB", population: 833, ddd: "83", cep: [58000, 58099], region: "Nordeste" },
  { name: "São Bernardo do Campo", stateCode: "SP", population: 810, ddd: "11", cep: [9600, 9899], region: "Sudeste" },
  { name: "Natal", stateCode: "RN", population: 751, ddd: "84", cep: [59000, 59139], region: "Nordeste" },
  { name: "Santo André", stateCode: "SP", population: 748, ddd: "11", cep: [9000, 9299], region: "Sudeste" },
  { name: "Osasco", stateCode: "SP", population: 728, ddd: "11", cep: [6000, 6299], region: "Sudeste" },
  { name: "Sorocaba", stateCode: "SP", population: 723, ddd: "15", cep: [18000, 18109], region: "Sudeste" },
  { name: "Uberlândia", stateCode: "MG", population: 713, ddd: "34", cep: [38400, 38419], region: "Sudeste" },
  { name: "Ribeirão Preto", stateCode: "SP", population: 698, ddd: "16", cep: [14000, 14114], region: "Sudeste" },
  { name: "São José dos Campos", stateCode: "SP", population: 697, ddd: "12", cep: [12200, 12249], region: "Sudeste" },
  { name: "Cuiabá", stateCode: "MT", population: 650, ddd: "65", cep: [78000, 78109], region: "Centro-Oeste" },
  { name: "Joinville", stateCode: "SC", population: 616, ddd: "47", cep: [89200, 89239], region: "Sul" },
  { name: "Aracaju", stateCode: "SE", population: 602, ddd: "79", cep: [49000, 49099], region: "Nordeste" },
  { name: "Londrina", stateCode: "PR", population: 555, ddd: "43", cep: [86000, 86099], region: "Sul" },
  { name: "Juiz de Fora", stateCode: "MG", population: 540, ddd: "32", cep: [36000, 36099], region: "Sudeste" },
  { name: "Florianópolis", stateCode: "SC", population: 537, ddd: "48", cep: [88000, 88099], region: "Sul" },
  { name: "Niterói", stateCode: "RJ", population: 481, ddd: "21", cep: [24000, 24399], region: "Sudeste" },
  { name: "Porto Velho", stateCode: "RO", population: 460, ddd: "69", cep: [76800, 76834], region: "Norte" },
  { name: "Macapá", stateCode: "AP", population: 442, ddd: "96", cep: [68900, 68914], region: "Norte" },
  { name: "Santos", stateCode: "SP", population: 418, ddd: "13", cep: [11000, 11099], region: "Sudeste" },
  { name: "Boa Vista", stateCode: "RR", population: 413, ddd: "95", cep: [69300, 69339], region: "Norte" },
  { name: "Rio Branco", stateCode: "AC", population: 364, ddd: "68", cep: [69900, 69923], region: "Norte" },
  { name: "Vitória", stateCode: "ES", population: 322, ddd: "27", cep: [29000, 29099], region: "Sudeste" },
  { name: "Palmas", stateCode: "TO", population: 302, ddd: "63", cep: [77000, 77249], region: "Norte" },
];

const CITY_WEIGHTS = CITIES.map((city) => ({ value: city, weight: city.population }));

export function pickCity(rng: Rng): City {
  return rng.weighted(CITY_WEIGHTS);
}

/** "01310-100". */
export function cep(rng: Rng, city: City): string {
  const prefix = rng.int(city.cep[0], city.cep[1]);
  return `${String(prefix).padStart(5, "0")}-${rng.digits(3)}`;
}

/** Mobile number in E.164, as Shopify stores it: +55 DDD 9XXXX-XXXX. */
export function mobilePhone(rng: Rng, city: City): string {
  return `+55${city.ddd}9${rng.int(6, 9)}${rng.digits(7)}`;
}

const STREET_KINDS = [
  { value: "Rua", weight: 70 },
  { value: "Avenida", weight: 18 },
  { value: "Alameda", weight: 5 },
  { value: "Travessa", weight: 7 },
];

export interface StreetAddress {
  address1: string;
  address2: string | null;
}

export function streetAddress(rng: Rng): StreetAddress {
  const kind = rng.weighted(STREET_KINDS);
  const honoree = rng.chance(0.5)
    ? `${rng.faker.person.firstName()} ${rng.faker.person.lastName()}`
    : rng.faker.person.lastName();
  const complement = rng.weighted<string | null>([
    { value: null, weight: 55 },
    { value: `Apto ${rng.int(1, 24)}${rng.int(0, 4)}${rng.int(1, 8)}`, weight: 30 },
    { value: `Casa ${rng.int(1, 4)}`, weight: 8 },
    { value: `Bloco ${rng.pick(["A", "B", "C", "D"])}, Apto ${rng.int(11, 184)}`, weight: 7 },
  ]);
  return { address1: `${kind} ${honoree}, ${rng.int(10, 3500)}`, address2: complement };
}

const EMAIL_PROVIDERS = [
  { value: "gmail.com", weight: 56 },
  { value: "hotmail.com", weight: 15 },
  { value: "outlook.com", weight: 8 },
  { value: "yahoo.com.br", weight: 8 },
  { value: "uol.com.br", weight: 7 },
  { value: "bol.com.br", weight: 6 },
];

/** Lowercase ASCII letters only: "Júlia Araújo" → "juliaaraujo". */
export function asciiLetters(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[^a-z]/g, "");
}

/** A plausible personal address derived from the name; `taken` keeps them unique. */
export function personalEmail(rng: Rng, firstName: string, lastName: string, taken: Set<string>): string {
  const first = asciiLetters(firstName.split(" ")[0] ?? firstName) || "cliente";
  const last = asciiLetters(lastName.split(" ").pop() ?? lastName) || "silva";
  const provider = rng.weighted(EMAIL_PROVIDERS);
  const year = String(rng.int(1965, 2006));
  const local = rng.weighted([
    { value: `${first}.${last}`, weight: 35 },
    { value: `${first}${last}`, weight: 20 },
    { value: `${first}_${last}`, weight: 8 },
    { value: `${first}.${last}${year.slice(2)}`, weight: 15 },
    { value: `${first}${last.charAt(0)}${year}`, weight: 12 },
    { value: `${first.charAt(0)}${last}`, weight: 10 },
  ]);
  let email = `${local}@${provider}`;
  while (taken.has(email)) email = `${local}${rng.int(1, 999)}@${provider}`;
  taken.add(email);
  return email;
}

// ------------------------------------------------------------------------------------------
// Time: shops here run on Brasília time, UTC−3 without daylight saving since 2019.
// ------------------------------------------------------------------------------------------

const BRT_OFFSET_MS = -3 * 60 * 60 * 1000;

/** "2025-03-10T14:22:31-03:00", the way Shopify writes a Brazilian shop's timestamps. */
export function shopTimestamp(date: Date): string {
  return `${new Date(date.getTime() + BRT_OFFSET_MS).toISOString().slice(0, 19)}-03:00`;
}

/** Calendar day in Brasília: "2025-03-10". */
export function shopDay(date: Date): string {
  return new Date(date.getTime() + BRT_OFFSET_MS).toISOString().slice(0, 10);
}

/** Hour of day in Brasília. */
export function shopHour(date: Date): number {
  return new Date(date.getTime() + BRT_OFFSET_MS).getUTCHours();
}

// ------------------------------------------------------------------------------------------
// Boleto: 47-digit linha digitável (FEBRABAN layout) with valid check digits.
// ------------------------------------------------------------------------------------------

function mod10(digits: string): number {
  let sum = 0;
  let weight = 2;
  for (let i = digits.length - 1; i >= 0; i--) {
    const product = Number(digits[i]) * weight;
    sum += product > 9 ? product - 9 : product;
    weight = weight === 2 ? 1 : 2;
  }
  return (10 - (sum % 10)) % 10;
}

function barcodeCheckDigit(digits43: string): number {
  let sum = 0;
  let weight = 2;
  for (let i = digits43.length - 1; i >= 0; i--) {
    sum += Number(digits43[i]) * weight;
    weight = weight === 9 ? 2 : weight + 1;
  }
  const digit = 11 - (sum % 11);
  return digit === 0 || digit === 10 || digit === 11 ? 1 : digit;
}

/** Days since 1997-10-07, restarting at 1000 after 9999 (the 2025-02-22 FEBRABAN rollover). */
function dueDateFactor(dueDay: string): string {
  let days = Math.round((Date.parse(`${dueDay}T00:00:00Z`) - Date.parse("1997-10-07T00:00:00Z")) / 86_400_000);
  while (days > 9999) days -= 9000;
  return String(days).padStart(4, "0");
}

/** "23790.12345 60000.123456 78901.234567 8 10000000012345". */
export function boletoLine(rng: Rng, bankCode: string, dueDay: string, amountMinor: bigint): string {
  const free = rng.digits(25);
  const factor = dueDateFactor(dueDay);
  const value = amountMinor.toString().padStart(10, "0").slice(-10);
  const withoutDv = `${bankCode}9${factor}${value}${free}`;
  const generalDv = barcodeCheckDigit(withoutDv);
  const field1 = `${bankCode}9${free.slice(0, 5)}`;
  const field2 = free.slice(5, 15);
  const field3 = free.slice(15, 25);
  const f1 = `${field1}${mod10(field1)}`;
  const f2 = `${field2}${mod10(field2)}`;
  const f3 = `${field3}${mod10(field3)}`;
  return `${f1.slice(0, 5)}.${f1.slice(5)} ${f2.slice(0, 5)}.${f2.slice(5)} ${f3.slice(0, 5)}.${f3.slice(5)} ${generalDv} ${factor}${value}`;
}

// ------------------------------------------------------------------------------------------
// Pix: BR Code "copia e cola" (EMV merchant-presented QR) with its CRC16.
// ------------------------------------------------------------------------------------------

function emv(id: string, value: string): string {
  return `${id}${String(value.length).padStart(2, "0")}${value}`;
}

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), as the BR Code spec requires. */
function crc16(payload: string): string {
  let crc = 0xffff;
  for (let i = 0; i < payload.length; i++) {
    crc ^= payload.charCodeAt(i) << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, "0");
}

/** Dynamic Pix code as a PSP issues it for one order; always starts with "000201". */
export function pixCopiaECola(opts: {
  locationUrl: string;
  amountMinor: bigint;
  merchantName: string;
  merchantCity: string;
}): string {
  const amount = `${opts.amountMinor / 100n}.${(opts.amountMinor % 100n).toString().padStart(2, "0")}`;
  const ascii = (text: string, max: number) => text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toUpperCase().slice(0, max);
  const body =
    emv("00", "01") +
    emv("01", "12") +
    emv("26", emv("00", "br.gov.bcb.pix") + emv("25", opts.locationUrl)) +
    emv("52", "0000") +
    emv("53", "986") +
    emv("54", amount) +
    emv("58", "BR") +
    emv("59", ascii(opts.merchantName, 25)) +
    emv("60", ascii(opts.merchantCity, 15)) +
    emv("62", emv("05", "***")) +
    "6304";
  return body + crc16(body);
}
