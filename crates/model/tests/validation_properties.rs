//! Property tests of the validators: the bounds hold for any input, not just the examples.

use invitedesk_model::validate::{self, Rule};
use proptest::prelude::*;

fn forbidden_char() -> impl Strategy<Value = char> {
    prop_oneof![Just('\r'), Just('\n'), Just('\0')]
}

proptest! {
    #[test]
    fn cr_lf_and_nul_are_always_refused(prefix in ".{0,20}", bad in forbidden_char(), suffix in ".{0,20}") {
        let value = format!("a{prefix}{bad}{suffix}z");
        prop_assert_eq!(validate::name("firstName", Some(&value), true).unwrap_err().rule, Rule::ForbiddenCharacter);
        prop_assert_eq!(validate::contact_number(Some(&value), true).unwrap_err().rule, Rule::ForbiddenCharacter);
        prop_assert_eq!(validate::email(&value).unwrap_err().rule, Rule::ForbiddenCharacter);
        prop_assert!(validate::clean_text("any", &value).is_err());
    }

    #[test]
    fn names_are_accepted_up_to_100_characters_and_refused_beyond(len in 1usize..=130, c in "[a-zA-Zéßж]") {
        let value = c.repeat(len);
        let result = validate::name("lastName", Some(&value), true);
        if len <= 100 {
            prop_assert_eq!(result.unwrap(), Some(value));
        } else {
            prop_assert_eq!(result.unwrap_err().rule, Rule::TooLong);
        }
    }

    #[test]
    fn contact_numbers_are_bounded_at_50(len in 1usize..=70) {
        let value = "1".repeat(len);
        let result = validate::contact_number(Some(&value), true);
        prop_assert_eq!(result.is_ok(), len <= 50);
    }

    #[test]
    fn valid_emails_come_back_lower_cased_and_trimmed(local in "[A-Za-z0-9._%+-]{1,20}", domain in "[A-Za-z0-9]{1,20}", tld in "[A-Za-z]{2,6}") {
        prop_assume!(!local.starts_with('.') && !local.ends_with('.') && !local.contains(".."));
        let raw = format!("  {local}@{domain}.{tld} ");
        let normalised = validate::email(&raw).unwrap();
        prop_assert_eq!(normalised.clone(), normalised.to_lowercase());
        prop_assert_eq!(normalised, raw.trim().to_lowercase());
    }

    #[test]
    fn emails_longer_than_254_are_refused(extra in 0usize..50) {
        let local = "a".repeat(60);
        let labels = vec!["b".repeat(60); 4].join(".");
        let raw = format!("{local}@{labels}{}.com", "c".repeat(extra));
        prop_assume!(raw.len() > 254);
        prop_assert_eq!(validate::email(&raw).unwrap_err().rule, Rule::TooLong);
    }

    #[test]
    fn normalisation_is_idempotent(local in "[a-z0-9]{1,30}", domain in "[a-z]{1,20}") {
        let once = validate::email(&format!("{local}@{domain}.org")).unwrap();
        prop_assert_eq!(validate::email(&once).unwrap(), once);
    }
}

fn valid_address() -> impl Strategy<Value = String> {
    (
        "[A-Za-z0-9][A-Za-z0-9_+-]{0,15}",
        "[A-Za-z0-9]{1,15}",
        "[A-Za-z]{2,6}",
    )
        .prop_map(|(local, domain, tld)| format!("{local}@{domain}.{tld}"))
}

proptest! {
    #[test]
    fn a_display_name_comment_or_brackets_never_pass(address in valid_address(), name in "[A-Za-z ]{0,12}") {
        for dressed in [
            format!("{name} <{address}>"),
            format!("<{address}>"),
            format!("{address} ({name})"),
            format!("\"{name}\" <{address}>"),
        ] {
            prop_assert_eq!(validate::email(&dressed).unwrap_err().rule, Rule::InvalidEmail, "{}", dressed);
        }
    }

    #[test]
    fn whitespace_inside_an_address_never_passes(address in valid_address(), at in 1usize..10, space in prop_oneof![Just(' '), Just('\t'), Just('\u{A0}'), Just('\u{3000}')]) {
        let at = at.min(address.len() - 1);
        let spaced = format!("{}{space}{}", &address[..at], &address[at..]);
        prop_assert!(validate::email(&spaced).is_err(), "{}", spaced);
    }

    #[test]
    fn case_and_composition_do_not_make_a_second_address(address in valid_address(), upper in proptest::collection::vec(any::<bool>(), 40)) {
        let recased: String = address
            .chars()
            .zip(upper.iter().cycle())
            .map(|(c, up)| if *up { c.to_ascii_uppercase() } else { c })
            .collect();
        let canonical = validate::email(&address).unwrap();
        prop_assert_eq!(validate::email(&recased).unwrap(), canonical.clone());
        prop_assert_eq!(validate::email(&canonical).unwrap(), canonical);
    }

    #[test]
    fn composed_and_decomposed_letters_are_one_address(local in "[a-z]{1,8}", domain in "[a-z]{1,8}") {
        let composed = format!("{local}\u{e9}@{domain}\u{fc}.com");
        let decomposed = format!("{local}e\u{301}@{domain}u\u{308}.com");
        prop_assert_eq!(validate::email(&composed).unwrap(), validate::email(&decomposed).unwrap());
    }
}
