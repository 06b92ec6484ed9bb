#pragma once
// Kept for existing code: the header is <dynomite/migration/migration.hpp>.
#include <dynomite/migration/migration.hpp>
