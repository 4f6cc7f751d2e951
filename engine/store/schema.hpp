#pragma once
// Schema migrations by PRAGMA user_version: migration N takes a database
// from version N-1 to N. Old databases keep working: never edit a
// migration that has shipped, add a new one.

#include "engine/store/db.hpp"

namespace passage {

// Brings `db` to the latest schema version, in one transaction per step.
void migrate(Database& db);

// The version migrate() brings a database to.
int latest_schema_version();

}  // namespace passage
