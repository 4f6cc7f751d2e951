#pragma once
// SHA-256 (and MD5) over OpenSSL's EVP interface: see digest.hpp.
#include "engine/store/digest.hpp"
