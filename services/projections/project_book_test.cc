// The project book over hand-built models: headings, table rows, Dutch labels, escaping.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>

#include "services/projections/book_render.h"
#include "services/projections/queries.h"
#include "services/projections/queries_test_model.h"

namespace projections {
namespace {

namespace v1 = ::wijkboek::v1;
using ::testing::HasSubstr;
using ::testing::Not;
using testmodel::ModelBuilder;
using testmodel::Ok;
using testmodel::Programme;

// ---- Project book ------------------------------------------------------------------------

TEST(ProjectBook, MarkdownHasTitlePositionPillarsGoalsAndRows) {
  const Model m = Programme();
  const auto r = Ok(GetProjectBook(m, {}));
  const std::string& md = r.markdown();
  EXPECT_THAT(md, HasSubstr("# Projectenboek Sterk voor Noord\n"));
  EXPECT_THAT(md, HasSubstr("Stand van zaken op positie " + std::to_string(m.position)));
  EXPECT_THAT(md, HasSubstr("\n## Jeugd en onderwijs\n"));
  EXPECT_THAT(md, HasSubstr("**Opgave:** Elk kind krijgt kansen"));
  EXPECT_THAT(md, HasSubstr("### Doel 1: Meer deelname aan vve\n"));
  EXPECT_THAT(md, HasSubstr("| Activiteit | Resultaat | Status |\n| --- | --- | --- |\n"));
  // Goals in number order within the pillar.
  EXPECT_LT(md.find("Doel 1: Meer deelname"), md.find("Doel 2: Leerachterstanden"));
  // One row per action, with penvoerder, partners, figures and dates, and the Dutch status.
  EXPECT_THAT(md, HasSubstr("| **Taalmaatjes**<br>Vrijwilligers spreken wekelijks met een "
                            "taalvrager<br>*Penvoerder:* Bibliotheek aan de Vliet<br>*Partners:* "
                            "Vidomes, Welzijn Woej | "));
  EXPECT_THAT(md, HasSubstr("**75 koppels**: Koppels gemaakt in 2023 *(1 juni 2024)*"));
  EXPECT_THAT(md, HasSubstr("| **Loopt**<br>sinds 15 januari 2024 |"));
  EXPECT_THAT(md, HasSubstr("| **Afgerond**<br>sinds 1 januari 2023<br>Opgenomen in het beheer |"));
  EXPECT_THAT(md, HasSubstr("| **Verlengd**"));
  EXPECT_THAT(md, HasSubstr("| **Gepland**"));
  EXPECT_THAT(md, HasSubstr("| **Doorlopend**"));
  EXPECT_THAT(md, HasSubstr("*Penvoerder:* geen"));  // taalcafe
  EXPECT_THAT(md, HasSubstr("*Nog geen resultaten vastgelegd.*"));
  EXPECT_THAT(md, HasSubstr("### Doel 2: Meer ontmoetingsruimte\n\n*Nog geen activiteiten"));
  EXPECT_THAT(md, HasSubstr("### Streefcijfers"));
  EXPECT_THAT(md, HasSubstr("| Indicator taalniveau | 60% | 65% (2022) | 70% | 80% | 50% / 25% |"));
  // Every table row has exactly three cells: four unescaped pipes.
  std::istringstream lines(md);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| **", 0) != 0 || line.find("Indicator") != std::string::npos) continue;
    int pipes = 0;
    for (size_t i = 0; i < line.size(); ++i)
      pipes += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    EXPECT_EQ(pipes, 4) << line;
  }
}

TEST(ProjectBook, MarkdownEscapesPipesNewlinesAndHtml) {
  Model m = Programme();
  m.actions["taalmaatjes"].set_title("Taal | lezen");
  m.actions["taalmaatjes"].set_description("regel een\r\nregel twee");
  m.actions["taalmaatjes"].mutable_results(3)->set_summary("<script>alert(1)</script> *vet*");
  const std::string md = Ok(GetProjectBook(m, {})).markdown();
  EXPECT_THAT(md, HasSubstr("**Taal \\| lezen**"));
  EXPECT_THAT(md, HasSubstr("regel een<br>regel twee"));
  EXPECT_THAT(md, HasSubstr("\\<script\\>alert(1)\\</script\\> \\*vet\\*"));
  EXPECT_THAT(md, Not(HasSubstr("<script>")));
  EXPECT_EQ(book::EscapeMarkdown("a|b\nc"), "a\\|b<br>c");
}

TEST(ProjectBook, HtmlIsACompleteSelfContainedEscapedDocument) {
  Model m = Programme();
  m.programme.set_name("Noord & Zo");
  m.actions["taalmaatjes"].set_title("<b>Taal</b> \"lezen\"");
  m.actions["taalmaatjes"].mutable_results(3)->set_summary("<script>alert('x')</script>");
  const std::string html = Ok(GetProjectBook(m, {})).html();
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_THAT(html, HasSubstr("<html lang=\"nl\">"));
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(html, HasSubstr("<title>Projectenboek Noord &amp; Zo</title>"));
  EXPECT_THAT(html, HasSubstr("<style>"));
  EXPECT_THAT(html, HasSubstr("</html>\n"));
  EXPECT_THAT(html, HasSubstr("<th>Activiteit</th><th>Resultaat</th><th>Status</th>"));
  EXPECT_THAT(html, HasSubstr("&lt;b&gt;Taal&lt;/b&gt; &quot;lezen&quot;"));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("http")));
  EXPECT_THAT(html, HasSubstr("Stand van zaken op positie " + std::to_string(m.position)));
  EXPECT_THAT(html, HasSubstr("<h3>Doel 1: Meer deelname aan vve</h3>"));
  EXPECT_THAT(html, HasSubstr("class=\"status completed\">Afgerond</span>"));
  EXPECT_EQ(book::EscapeHtml("a&b<c>\"d'\ne"), "a&amp;b&lt;c&gt;&quot;d&#39;<br>e");
}

TEST(ProjectBook, OnePillarAndUnknownPillar) {
  v1::GetProjectBookRequest req;
  req.set_pillar_id("wonen");
  const auto r = Ok(GetProjectBook(Programme(), req));
  EXPECT_THAT(r.markdown(), HasSubstr("## Fijn en veilig wonen"));
  EXPECT_THAT(r.markdown(), Not(HasSubstr("Jeugd en onderwijs")));
  req.set_pillar_id("geen");
  EXPECT_EQ(GetProjectBook(Programme(), req).status().code(), absl::StatusCode::kNotFound);
}

TEST(ProjectBook, StatusLabelsAreDutch) {
  ModelBuilder b;
  b.Pillar("p", "P", "").Goal("g", "p", "G", 0).Partner("x", "X", "s");
  const std::pair<v1::ActionStatus, const char*> cases[] = {
      {v1::ACTION_STATUS_PLANNED, "Gepland"},
      {v1::ACTION_STATUS_IN_PROGRESS, "Loopt"},
      {v1::ACTION_STATUS_ONGOING, "Doorlopend"},
      {v1::ACTION_STATUS_EXTENDED, "Verlengd"},
      {v1::ACTION_STATUS_CONTINUED_IN_REGULAR_WORK, "Voortgezet in reguliere werk"},
      {v1::ACTION_STATUS_COMPLETED, "Afgerond"},
      {v1::ACTION_STATUS_STOPPED, "Gestopt"}};
  int i = 0;
  for (const auto& [status, label] : cases) {
    b.Action("a" + std::to_string(i++), "g", "A", "x", {}, status, "");
  }
  const std::string md = Ok(GetProjectBook(b.model(), {})).markdown();
  EXPECT_THAT(md, HasSubstr("### Doel: G\n"));  // a goal without number
  for (const auto& [status, label] : cases) {
    EXPECT_THAT(md, HasSubstr(std::string("| **") + label + "**")) << label;
  }
}

TEST(ProjectBook, NumbersUseADecimalComma) {
  EXPECT_EQ(book::FormatNumber(61.5), "61,5");
  EXPECT_EQ(book::FormatNumber(75), "75");
  EXPECT_EQ(book::FormatNumber(0.126), "0,13");
  EXPECT_EQ(book::FormatNumber(-2.5), "-2,5");
  EXPECT_EQ(book::WithUnit(12, "%"), "12%");
  EXPECT_EQ(book::WithUnit(896, "huishoudens"), "896 huishoudens");
}

}  // namespace
}  // namespace projections
