#include "closest-names.h"

#include <algorithm>
#include <map>

namespace bridge32 {

namespace {

std::string folded(std::string_view text) {
  std::string result(text);
  for (char& c : result) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return result;
}

struct Closeness {
  size_t score;  // the rank: edit distance to the whole name, or to its best beginning plus one
  size_t whole;  // edit distance to the whole name, which breaks ties
  auto operator<=>(const Closeness&) const = default;
};

// How close `name` is to `wanted` (both folded). A name that merely continues what was typed
// ("compressBound" for "compres") is close, but not as close as a name one edit away from it.
Closeness closeness(std::string_view wanted, std::string_view name) {
  // Levenshtein distances from `wanted` to each beginning of `name`, one row per letter of
  // `wanted`: row[j] is the distance to name's first j letters.
  std::vector<size_t> row(name.size() + 1);
  for (size_t j = 0; j < row.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= wanted.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j < row.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (wanted[i - 1] != name[j - 1])});
      diagonal = above;
    }
  }
  size_t beginning = *std::min_element(row.begin(), row.end());
  return {std::min(row.back(), beginning + 1), row.back()};
}

}  // namespace

std::vector<std::string> closestNames(const std::vector<NameForm>& candidates,
                                      std::string_view wanted, size_t max) {
  if (wanted.empty()) return {};
  std::string target = folded(wanted);
  // Further than a third of what was typed is not a slip of the keyboard.
  size_t furthest = std::max<size_t>(1, target.size() / 3);
  // Past this many letters, a name's beginnings are all too far, and so is the whole name: its
  // tail needs no comparing (mangled names can be kilobytes long).
  size_t compared = target.size() + furthest + 1;

  std::map<std::string_view, Closeness> best;
  for (const NameForm& candidate : candidates) {
    std::string_view form = candidate.form;
    Closeness c = closeness(target, folded(form.substr(0, compared)));
    if (form.size() > compared) c.whole = form.size() - target.size();  // at least this far
    if (c.score > furthest) continue;
    auto [at, added] = best.try_emplace(candidate.name, c);
    if (!added) at->second = std::min(at->second, c);
  }
  std::vector<std::pair<Closeness, std::string_view>> ranked;
  for (auto [name, c] : best) ranked.emplace_back(c, name);
  std::ranges::sort(ranked);
  std::vector<std::string> names;
  for (size_t i = 0; i < ranked.size() && i < max; ++i) names.emplace_back(ranked[i].second);
  return names;
}

std::vector<std::string> closestNames(const std::vector<std::string>& names,
                                      std::string_view wanted, size_t max) {
  std::vector<NameForm> forms;
  for (const std::string& name : names) forms.push_back({name, name});
  return closestNames(forms, wanted, max);
}

}  // namespace bridge32
