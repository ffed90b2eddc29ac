//! What the school sees when the relay refuses a request: a fixed Dutch sentence per error code
//! of the protocol, written here. The relay's own `message` is never shown: a broken or hostile
//! relay could put anything in it (a false instruction, a number to call, a child's name).

/// The protocol's error codes (docs/protocol.md, "Errors"), each with what it means for the
/// person at the school's computer and what to do.
const SENTENCES: [(&str, &str); 20] = [
    (
        "bad_request",
        "het verzoek had niet de vorm die de relay verwacht; werk de app bij of neem contact op met leerplicht",
    ),
    ("invalid_envelope", "het signaal is niet in orde; neem contact op met leerplicht"),
    ("invalid_receipt", "de ontvangstbevestiging is niet in orde; neem contact op met leerplicht"),
    ("unauthenticated", "de relay kon niet zien van welk apparaat het verzoek kwam; neem contact op met leerplicht"),
    ("bad_signature", "de relay herkent de handtekening van dit apparaat niet; neem contact op met leerplicht"),
    ("stale_request", "de klok van deze computer loopt voor of achter; zet de klok goed en probeer het opnieuw"),
    ("replayed_request", "het verzoek kwam dubbel aan; probeer het opnieuw"),
    (
        "unknown_signer",
        "de relay kent dit apparaat niet (meer); meld het opnieuw aan met een nieuwe code van leerplicht",
    ),
    ("forbidden", "de relay staat dit verzoek niet toe; neem contact op met leerplicht"),
    ("wrong_school", "dit hoort bij een andere school; neem contact op met leerplicht"),
    (
        "device_not_verified",
        "dit apparaat is nog niet bevestigd of door leerplicht uit gebruik genomen; bel leerplicht",
    ),
    (
        "not_found",
        "de relay kent deze aanmeldcode of dit signaal niet; controleer de code of vraag leerplicht om een nieuwe",
    ),
    ("conflict", "dit apparaat of deze code is al in gebruik; vraag leerplicht om een nieuwe code"),
    ("code_used", "deze aanmeldcode is al gebruikt; vraag leerplicht om een nieuwe code"),
    ("expired", "deze aanmeldcode of dit signaal is verlopen; vraag leerplicht om een nieuwe code"),
    ("too_large", "het verzoek was te groot voor de relay; neem contact op met leerplicht"),
    (
        "too_many_attempts",
        "vanaf dit netwerk zijn te vaak verkeerde aanmeldcodes geprobeerd; wacht tien minuten en probeer het opnieuw",
    ),
    (
        "pin_tries_used_up",
        "met dit apparaat is te vaak een verkeerde pincode geprobeerd; meld het opnieuw aan met een nieuwe code van leerplicht",
    ),
    ("internal", "er ging iets mis bij de relay; probeer het over een paar minuten opnieuw"),
    ("unavailable", "de relay is even niet beschikbaar; probeer het over een paar minuten opnieuw"),
];

/// What stands in for a code the protocol does not have.
pub const UNKNOWN: &str = "unknown";

/// The protocol's own spelling of `code`, or [`UNKNOWN`]: nothing the relay chose is kept.
pub fn known_code(code: &str) -> &'static str {
    SENTENCES.iter().find(|(known, _)| *known == code).map_or(UNKNOWN, |(known, _)| known)
}

/// The sentence shown for `code`.
pub fn sentence(code: &str) -> &'static str {
    SENTENCES.iter().find(|(known, _)| *known == code).map_or(
        "de relay weigerde het verzoek zonder bekende reden; probeer het later opnieuw of neem contact op met leerplicht",
        |(_, sentence)| sentence,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_own_sentence_and_anything_else_is_unknown() {
        let sentences: std::collections::BTreeSet<_> = SENTENCES.iter().map(|(_, s)| s).collect();
        assert_eq!(sentences.len(), SENTENCES.len());
        assert_eq!(known_code("code_used"), "code_used");
        assert!(sentence("code_used").contains("nieuwe code"));
        for strange in ["Code_Used", "code_used ", "", "bel 0900-1234"] {
            assert_eq!(known_code(strange), UNKNOWN, "{strange}");
            assert!(sentence(strange).contains("zonder bekende reden"));
        }
    }
}
