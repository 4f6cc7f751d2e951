#pragma once
// MD5 over OpenSSL's EVP interface: see digest.hpp.
#include "engine/store/digest.hpp"
