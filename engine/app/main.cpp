#include <iostream>

#include "engine/app/app.hpp"

int main(int argc, char** argv) { return passage::run_cli(argc, argv, std::cout, std::cerr); }
