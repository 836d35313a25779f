package io.roster.agent.dns;

import java.util.List;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;

/**
 * A local answer before it is put on the wire: the answer records in the order to send them, the
 * additional records that go with each answer ({@code extras.get(i)} belongs to {@code answers.get(i)},
 * so trimming answers drops their additional records too; answers with the same target share one list
 * object, written once), and the authority section.
 */
record Reply(int rcode, boolean authoritative, List<Record> answers, List<List<Record>> extras, List<Record> authority) {

    Reply {
        if (extras.size() != answers.size()) {
            throw new IllegalArgumentException("one extras list per answer");
        }
    }

    static Reply of(List<Record> answers, List<List<Record>> extras) {
        return new Reply(Rcode.NOERROR, true, answers, extras, List.of());
    }

    static Reply error(int rcode, List<Record> authority) {
        return new Reply(rcode, true, List.of(), List.of(), authority);
    }
}
