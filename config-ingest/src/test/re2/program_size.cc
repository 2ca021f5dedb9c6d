// Prints RE2::ProgramSize() for each pattern read from standard input, one a line, as
// "SIZE<TAB>PATTERN" (or "error<TAB>PATTERN" when RE2 refuses it). Options are Envoy's:
// RE2(pattern, RE2::Quiet).
#include <iostream>
#include <string>

#include <re2/re2.h>

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    RE2 re(line, RE2::Quiet);
    if (re.ok()) {
      std::cout << re.ProgramSize() << '\t' << line << '\n';
    } else {
      std::cout << "error" << '\t' << line << '\n';
    }
  }
  return 0;
}
