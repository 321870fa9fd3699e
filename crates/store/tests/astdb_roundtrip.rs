//! Property: whatever non-empty family and key are used, AstDB gives back what was put.

use proptest::prelude::*;
use switchyard_store::{SqliteStore, Store};

proptest! {
    #[test]
    fn db_put_then_db_get_round_trips_any_non_empty_strings(
        family in "(?s).{1,24}",
        key in "(?s).{1,24}",
        value in "(?s).{0,64}",
    ) {
        let store = SqliteStore::open_in_memory().unwrap();
        store.db_put(&family, &key, &value).unwrap();
        prop_assert_eq!(store.db_get(&family, &key).unwrap(), Some(value));
        prop_assert!(store.db_del(&family, &key).unwrap());
        prop_assert_eq!(store.db_get(&family, &key).unwrap(), None);
    }
}
