/** Whether a message looks like payment instructions typed by hand: an IBAN,
 * a card number, or words such as "bank transfer". The composer then
 * suggests a payment link, which keeps the payment tracked and reconciled.
 * A hint only: nothing is ever blocked. */

// words of payment instructions, in a few languages, as whole words
const WORDS = new RegExp(
    "(?<![\\p{L}\\d])(" +
        [
            "bank transfer",
            "wire transfer",
            "bank details",
            "bank account",
            "account number",
            "routing number",
            "sort code",
            "iban",
            "swift",
            "virement",
            "coordonnées bancaires",
            "überweisung",
            "bankverbindung",
            "transferencia bancaria",
            "bonifico",
            "overschrijving",
        ].join("|") +
        ")(?![\\p{L}\\d])",
    "iu"
);
// a country code, two check digits, then letters and digits, written as one
// word or in groups of four
const IBAN_CANDIDATE =
    /(?<![A-Z0-9])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)(?![A-Z0-9])/gi;
// 13 to 19 digits, maybe in groups
const CARD_CANDIDATE = /(?<![A-Z0-9])\d(?:[ -]?\d){12,18}(?![A-Z0-9])/gi;

/** ISO 13616: the IBAN's first four characters moved to its end, letters
 * as numbers (A = 10), is 1 modulo 97. */
function isIban(compact) {
    const moved = (compact.slice(4) + compact.slice(0, 4)).toUpperCase();
    let remainder = 0;
    for (const char of moved) {
        const value = parseInt(char, 36);
        remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
    }
    return remainder === 1;
}

/** The Luhn check of card numbers. */
function isCardNumber(digits) {
    let sum = 0;
    for (let index = 0; index < digits.length; index++) {
        let digit = Number(digits[digits.length - 1 - index]);
        if (index % 2) {
            digit *= 2;
            digit -= digit > 9 ? 9 : 0;
        }
        sum += digit;
    }
    return sum % 10 === 0;
}

export function looksLikePaymentDetails(text) {
    if (!text) {
        return false;
    }
    if (WORDS.test(text)) {
        return true;
    }
    for (const [candidate] of text.matchAll(IBAN_CANDIDATE)) {
        if (isIban(candidate.replace(/ /g, ""))) {
            return true;
        }
    }
    for (const [candidate] of text.matchAll(CARD_CANDIDATE)) {
        if (isCardNumber(candidate.replace(/[ -]/g, ""))) {
            return true;
        }
    }
    return false;
}
