#pragma once
// The tests reuse the simulator's base64 helpers (simulator code, not Passage's).
#include "auth.hpp"
