//! The invitation's fields a file's columns may fill, the header names each is known by
//! (as people and other tools write them), the guess made from a file's headers, and the
//! template offered for download.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    Email,
    FirstName,
    LastName,
    ContactNumber,
    ExistingUser,
    Policies,
    Business,
    App,
    Subscription,
    Role,
    AccessEnd,
    Expiry,
}

/// Which column (by index) fills each field; a field left out stays empty.
pub type Mapping = BTreeMap<Field, usize>;

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Email,
        Field::FirstName,
        Field::LastName,
        Field::ContactNumber,
        Field::ExistingUser,
        Field::Policies,
        Field::Business,
        Field::App,
        Field::Subscription,
        Field::Role,
        Field::AccessEnd,
        Field::Expiry,
    ];

    /// The header the template uses, and the UI's name for the field.
    pub fn title(self) -> &'static str {
        match self {
            Field::Email => "E-mail",
            Field::FirstName => "First name",
            Field::LastName => "Last name",
            Field::ContactNumber => "Contact number",
            Field::ExistingUser => "Existing user",
            Field::Policies => "Permission policies",
            Field::Business => "Business",
            Field::App => "App",
            Field::Subscription => "Subscription",
            Field::Role => "Role",
            Field::AccessEnd => "Access end",
            Field::Expiry => "Expiry",
        }
    }

    /// Headers known to mean this field, as `normalised` makes them.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Email => &["email", "emailaddress", "mail", "useremail", "workemail"],
            Field::FirstName => &["firstname", "givenname", "forename", "first"],
            Field::LastName => &["lastname", "surname", "familyname", "last"],
            Field::ContactNumber => &[
                "contactnumber",
                "phone",
                "phonenumber",
                "mobile",
                "mobilenumber",
                "telephone",
                "tel",
            ],
            Field::ExistingUser => &["existinguser", "existing", "m3teruser"],
            Field::Policies => &[
                "permissionpolicies",
                "permissionpolicy",
                "policies",
                "policy",
                "permissions",
            ],
            Field::Business => &["business", "businessname"],
            Field::App => &["app", "application", "appname", "applicationname"],
            Field::Subscription => &["subscription", "subscriptionname", "plan"],
            Field::Role => &["role", "rolename"],
            Field::AccessEnd => &[
                "accessend",
                "accessenddate",
                "accessends",
                "dtendaccess",
                "endaccess",
                "accessuntil",
            ],
            Field::Expiry => &[
                "expiry",
                "expires",
                "expirydate",
                "inviteexpiry",
                "invitationexpiry",
                "dtexpiry",
                "expireson",
            ],
        }
    }

    /// The field of the model's rules (`FieldError::field`) this column fills.
    pub fn of_rule_field(field: &str) -> Option<Field> {
        Some(match field {
            "email" => Field::Email,
            "firstName" => Field::FirstName,
            "lastName" => Field::LastName,
            "contactNumber" => Field::ContactNumber,
            "existingUser" => Field::ExistingUser,
            "permissionPolicyIds" => Field::Policies,
            "businessId" => Field::Business,
            "appId" => Field::App,
            "subscriptionId" => Field::Subscription,
            "roleId" => Field::Role,
            "dtEndAccess" => Field::AccessEnd,
            "dtExpiry" => Field::Expiry,
            _ => return None,
        })
    }
}

/// Lower case, letters and digits only: "E-mail address" and "email_address" are one name.
fn normalised(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Each field the headers name, by its first column; columns no field knows are left out.
pub fn guess_mapping(headers: &[String]) -> Mapping {
    let mut mapping = Mapping::new();
    for (index, header) in headers.iter().enumerate() {
        let name = normalised(header);
        let known = Field::ALL
            .into_iter()
            .find(|f| f.aliases().contains(&name.as_str()));
        if let Some(field) = known {
            mapping.entry(field).or_insert(index);
        }
    }
    mapping
}

/// The template: every column, and one example row.
pub fn template_csv() -> String {
    let header: Vec<&str> = Field::ALL.iter().map(|f| f.title()).collect();
    format!(
        "{}\r\n{}\r\n",
        header.join(","),
        "ada.lovelace@example.com,Ada,Lovelace,+44 20 7946 0000,no,Read only,Acme Retail,Storefront,Storefront Pro,Admin,2027-12-31,"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn headers_are_matched_however_a_spreadsheet_spells_them() {
        let mapping = guess_mapping(&headers(&[
            "Notes",
            "E-mail Address",
            "given_name",
            "SURNAME",
            "Mobile",
            "Permission policies",
            "Access ends",
            "email",
        ]));
        assert_eq!(
            mapping.get(&Field::Email),
            Some(&1),
            "the first e-mail column"
        );
        assert_eq!(mapping.get(&Field::FirstName), Some(&2));
        assert_eq!(mapping.get(&Field::LastName), Some(&3));
        assert_eq!(mapping.get(&Field::ContactNumber), Some(&4));
        assert_eq!(mapping.get(&Field::Policies), Some(&5));
        assert_eq!(mapping.get(&Field::AccessEnd), Some(&6));
        assert_eq!(mapping.len(), 6, "Notes is no field");
    }

    #[test]
    fn the_template_reads_back_as_every_field() {
        let table = super::super::read_table(template_csv().as_bytes()).unwrap();
        let mapping = guess_mapping(&table.headers);
        assert_eq!(mapping.len(), Field::ALL.len());
        assert_eq!(table.rows.len(), 1);
    }
}
